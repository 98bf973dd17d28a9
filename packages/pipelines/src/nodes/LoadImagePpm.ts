import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePpm, rgbToI420Frame } from '../frames/rgbImage.ts';
import { InvalidWorkflowError } from '../workflow/errors.ts';
import type { JsNodeDefinition, RuntimeValue } from '../workflow/WorkflowTypes.ts';

/** File names `LoadImagePpm` accepts: plain names (no directories) of binary PPM files. */
export const loadImageNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ppm$/;

/**
 * A still image, reading from one directory only: `image` names a binary PPM (P6) file in
 * `imageDir` (no paths, so a workflow or a param can never read other files). The image is read
 * and converted to I420 once (odd sizes lose their last row or column); the node outputs it
 * unchanged on every frame — resize it to the frame with `ImageCompositeMasked`'s
 * `resize_source`, for instance. Changing the file name rebuilds the plan.
 */
export function loadImagePpmNode(imageDir: string | undefined): JsNodeDefinition {
  return {
    classType: 'LoadImagePpm',
    kind: 'js',
    description: 'A still image (binary PPM) from the image directory.',
    inputs: {
      image: {
        type: 'STRING',
        default: 'background.ppm',
        pattern: loadImageNamePattern,
        description: 'File name of a binary PPM in the image directory.',
      },
    },
    outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
    structuralLiterals: ['image'],
    async prepare({ nodeId, literals }) {
      const name = literals.image as string;
      if (imageDir === undefined) {
        throw new InvalidWorkflowError([
          {
            code: 'literal_out_of_range',
            nodeId,
            input: 'image',
            message: `Node "${nodeId}" (LoadImagePpm): no image directory is configured on this node`,
          },
        ]);
      }
      const decoded = decodePpm(await readFile(join(imageDir, name)), name);
      const even = {
        widthPx: decoded.widthPx & ~1,
        heightPx: decoded.heightPx & ~1,
      };
      const rgb = new Uint8Array(even.widthPx * even.heightPx * 3);
      for (let row = 0; row < even.heightPx; row++) {
        const from = row * decoded.widthPx * 3;
        rgb.set(decoded.rgb.subarray(from, from + even.widthPx * 3), row * even.widthPx * 3);
      }
      const frame = rgbToI420Frame({ ...even, rgb });
      const value: RuntimeValue = { type: 'IMAGE', frame };
      return {
        run: async () => [value],
        imageSize: () => even,
        close: async () => {},
      };
    },
  };
}
