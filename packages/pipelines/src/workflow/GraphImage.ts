import { type Affine3, composeAffine3, yuvToRgb } from '../graphs/bt601.ts';
import {
  affineColumns,
  chromaImage,
  graphConstants,
  type I420GraphInputs,
  i420PlanesFromYuv,
  lumaImage,
  yuvColumns,
  yuvFromRgbColumns,
} from '../graphs/i420GraphIo.ts';
import { mapI420Planes, mapYuvPlanes, perPlaneYuvMap } from '../graphs/perPlaneYuvMap.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';

/** A frame size in pixels. */
export type SizePx = { readonly widthPx: number; readonly heightPx: number };

/** The size of an image in the plan as a function of the input frame's size. */
export type SizeFn = (input: SizePx) => SizePx;

export const sameSize: SizeFn = (input) => input;

/**
 * How an image is made from low-resolution values, for a consumer that can do the full-size
 * work faster outside the graph (`UpsampledComposite`, on CPU): `upsampled`, float luma
 * `[1, 1, h, w]` and chroma `[1, 2, h', w']` upsampled bilinearly (`half_pixel`) to the image's
 * size; `composite`, `under + mask · (over − under)` with `under` upsampled so, the mask
 * (`[1, 1, h, w]`) too, and `over` the image's size as uint8 planes.
 */
export type LowResForm =
  | { readonly kind: 'upsampled'; readonly luma: string; readonly chroma: string }
  | {
      readonly kind: 'composite';
      readonly under: { readonly luma: string; readonly chroma: string };
      readonly mask: string;
      readonly over: { readonly y: string; readonly u: string; readonly v: string };
    };

/**
 * An IMAGE inside a fused ONNX graph. ComfyUI's IMAGE is RGB 0..1; here the pixels stay in
 * whatever form the node that made them produced — I420 planes (uint8), YUV float planes or RGB
 * float columns — and are converted on first use, once, by the form a consumer asks for. That
 * keeps a chain such as `LoadTensor → sketch → SaveTensor` the same graph as the built-in filter,
 * with no RGB round trip, while nodes that need RGB get it.
 *
 * Shapes: luma `[H, W]` (`lumaShape`, int64 `[2]`), chroma `[H/2, W/2]`; sizes are even.
 */
export class GraphImage {
  readonly g: OnnxGraphBuilder;
  /** int64 `[2]`: H, W. */
  readonly lumaShape: string;
  /** The image's size for a given input frame size (known without running the graph). */
  readonly size: SizeFn;
  /** Set when the image is made from low-resolution values (see `LowResForm`). */
  readonly lowRes: LowResForm | undefined;
  #planes: I420GraphInputs | undefined;
  #yuv: { luma: string; chroma: string } | undefined;
  #rgb: string | undefined;
  #chromaShape: string | undefined;
  #images: { luma: string; chroma: string } | undefined;
  /** Whether `#yuv` may leave 0..255 (a per-plane map's result: clipped when converted). */
  #yuvUnclipped = false;
  /** How to make the RGB form when it is not made from `#yuv` (see `mapRgb`). */
  #rgbSource: (() => string) | undefined;
  /** How to make `#yuv` when a consumer first needs it (`fromLazyYuv`). */
  #yuvSource: (() => { luma: string; chroma: string }) | undefined;

  private constructor(g: OnnxGraphBuilder, lumaShape: string, size: SizeFn, lowRes?: LowResForm) {
    this.g = g;
    this.lumaShape = lumaShape;
    this.size = size;
    this.lowRes = lowRes;
  }

  /** From uint8 planes `y [H, W]`, `u`, `v [H/2, W/2]`. */
  static fromPlanes(
    g: OnnxGraphBuilder,
    planes: { readonly y: string; readonly u: string; readonly v: string },
    size: SizeFn,
  ): GraphImage {
    const lumaShape = g.op('Shape', [planes.y]);
    const image = new GraphImage(g, lumaShape, size);
    const chromaShape = g.op('Shape', [planes.u]);
    image.#chromaShape = chromaShape;
    image.#planes = { ...planes, lumaShape, chromaShape };
    return image;
  }

  /** From float luma (H·W elements) and chroma (U then V, 2·H/2·W/2 elements), 0..255. */
  static fromYuv(
    g: OnnxGraphBuilder,
    lumaShape: string,
    yuv: { readonly luma: string; readonly chroma: string },
    size: SizeFn,
  ): GraphImage {
    const image = new GraphImage(g, lumaShape, size);
    image.#yuv = { ...yuv };
    return image;
  }

  /**
   * Float YUV as `fromYuv`, made by `make` in the graph only when a consumer first needs it; a
   * consumer that can use `lowRes` instead may never add those nodes.
   */
  static fromLazyYuv(
    g: OnnxGraphBuilder,
    lumaShape: string,
    make: () => { readonly luma: string; readonly chroma: string },
    size: SizeFn,
    lowRes: LowResForm,
  ): GraphImage {
    const image = new GraphImage(g, lumaShape, size, lowRes);
    image.#yuvSource = () => ({ ...make() });
    return image;
  }

  /**
   * The uint8 planes the image was made from, unconverted (graph inputs, say), or undefined
   * when it was made in another form.
   */
  get bytePlanes(): { readonly y: string; readonly u: string; readonly v: string } | undefined {
    const made =
      this.#yuv !== undefined || this.#yuvSource !== undefined || this.#rgb !== undefined;
    return made ? undefined : this.#planes;
  }

  /** From RGB float columns `[3, H·W]`, 0..255 (clipped when converted). */
  static fromRgbColumns(
    g: OnnxGraphBuilder,
    lumaShape: string,
    columns: string,
    size: SizeFn,
  ): GraphImage {
    const image = new GraphImage(g, lumaShape, size);
    image.#rgb = columns;
    return image;
  }

  /** int64 `[2]`: H/2, W/2. */
  get chromaShape(): string {
    if (this.#chromaShape === undefined) {
      const { int64s } = graphConstants(this.g);
      this.#chromaShape = this.g.op('Div', [this.lumaShape, int64s(2)]);
    }
    return this.#chromaShape;
  }

  /** The uint8 planes (rounded and clipped from other forms), with their shapes. */
  planes(): I420GraphInputs {
    if (this.#planes === undefined) {
      const { luma, chroma } = this.#yuvOrFromRgb();
      const shapes = { lumaShape: this.lumaShape, chromaShape: this.chromaShape };
      const planes = i420PlanesFromYuv(this.g, shapes, luma, chroma);
      this.#planes = { ...planes, ...shapes };
    }
    return this.#planes;
  }

  /** Float luma `[1, 1, H, W]` and chroma `[1, 2, H/2, W/2]`, 0..255 (limited range). */
  yuvImages(): { luma: string; chroma: string } {
    this.#images ??= this.#makeYuvImages();
    return this.#images;
  }

  #makeYuvImages(): { luma: string; chroma: string } {
    const g = this.g;
    const { int64s } = graphConstants(g);
    if (this.#planes !== undefined && this.#yuv === undefined) {
      return { luma: lumaImage(g, this.#planes), chroma: chromaImage(g, this.#planes) };
    }
    const { luma, chroma } = this.#yuvOrFromRgb();
    const { scalar } = graphConstants(g);
    const clip = (x: string) =>
      this.#yuvUnclipped ? g.op('Clip', [x, scalar(0), scalar(255)]) : x;
    const shape = (channels: number, planeShape: string) =>
      g.op('Concat', [int64s(1, channels), planeShape], { axis: attr.int(0) });
    return {
      luma: g.op('Reshape', [clip(luma), shape(1, this.lumaShape)]),
      chroma: g.op('Reshape', [clip(chroma), shape(2, this.chromaShape)]),
    };
  }

  /** RGB float columns `[3, H·W]`, 0..255 (chroma upsampled 2× nearest, BT.601). */
  rgbColumns(): string {
    this.#rgb ??= this.#rgbSource?.() ?? this.#rgbThrough(yuvToRgb);
    return this.#rgb;
  }

  /**
   * `map` applied to the image's RGB (clipped to 0..255), as a new image. When this image has no
   * RGB form yet and `map` seen from YUV maps each plane on its own (`perPlaneYuvMap`: invert,
   * contrast, brightness), the new image is this one's planes (uint8, rounded and clipped) or
   * float YUV (clipped when converted) mapped plane by plane — no chroma upsampling, no RGB, no
   * 2×2 chroma average; its RGB form, if a consumer asks for it, is still `map` of this image's
   * RGB. Otherwise `map` is folded into the
   * YUV → RGB matrix (one MatMul) or applied to the RGB columns.
   */
  mapRgb(map: Affine3): GraphImage {
    const perPlane = this.#rgb === undefined ? perPlaneYuvMap(map) : undefined;
    if (perPlane === undefined) {
      return GraphImage.fromRgbColumns(
        this.g,
        this.lumaShape,
        this.#mappedRgbColumns(map),
        this.size,
      );
    }
    const image = new GraphImage(this.g, this.lumaShape, this.size);
    image.#chromaShape = this.chromaShape;
    image.#rgbSource = () => this.#mappedRgbColumns(map);
    if (this.#planes !== undefined && this.#yuv === undefined) {
      // Bytes to bytes, plane by plane (rounded and clipped there).
      const planes = mapI420Planes(this.g, perPlane, this.#planes);
      image.#planes = { ...planes, lumaShape: this.lumaShape, chromaShape: this.chromaShape };
    } else {
      image.#yuv = mapYuvPlanes(this.g, perPlane, this.#yuvOrFromRgb());
      image.#yuvUnclipped = true;
    }
    return image;
  }

  /** `map` applied to the RGB columns, clipped to 0..255 (folded into YUV → RGB on planes). */
  #mappedRgbColumns(map: Affine3): string {
    if (this.#rgb !== undefined)
      return this.#clip(affineColumns(this.g, map, [0, 1, 2], this.#rgb));
    return this.#rgbThrough(composeAffine3(map, yuvToRgb));
  }

  #rgbThrough(yuvToMappedRgb: Affine3): string {
    return this.#clip(
      affineColumns(this.g, yuvToMappedRgb, [0, 1, 2], yuvColumns(this.g, this.planes())),
    );
  }

  #clip(columns: string): string {
    const { scalar } = graphConstants(this.g);
    return this.g.op('Clip', [columns, scalar(0), scalar(255)]);
  }

  /** ComfyUI's view: RGB 0..1 as an NCHW image `[1, 3, H, W]`. */
  rgbImage01(): string {
    const g = this.g;
    const { int64s, scalar } = graphConstants(g);
    const shape = g.op('Concat', [int64s(1, 3), this.lumaShape], { axis: attr.int(0) });
    const clipped = g.op('Clip', [this.rgbColumns(), scalar(0), scalar(255)]);
    return g.op('Reshape', [g.op('Mul', [clipped, scalar(1 / 255)]), shape]);
  }

  #yuvOrFromRgb(): { luma: string; chroma: string } {
    if (this.#yuv === undefined && this.#yuvSource !== undefined) this.#yuv = this.#yuvSource();
    if (this.#yuv === undefined) {
      if (this.#rgb !== undefined) {
        this.#yuv = yuvFromRgbColumns(this.g, this.lumaShape, this.#rgb);
      } else {
        const planes = this.#planes as I420GraphInputs;
        this.#yuv = { luma: lumaImage(this.g, planes), chroma: chromaImage(this.g, planes) };
      }
    }
    return this.#yuv;
  }
}
