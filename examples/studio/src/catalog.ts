/** What the gateway's `GET /pipelines` says about one pipeline (decimal wei strings as sent). */
export type NumberParamSpec = {
  type: 'number' | 'integer';
  default: number;
  min: number;
  max: number;
  multipleOf?: number;
  description: string;
};
export type EnumParamSpec = {
  type: 'enum';
  values: readonly string[];
  default: string;
  description: string;
};
/** Types the studio does not know yet (`color`, `image`, …) are shown as a text field. */
export type OtherParamSpec = { type: string; default?: unknown; description?: string };
export type ParamSpec = NumberParamSpec | EnumParamSpec | OtherParamSpec;
export type ParamsSchema = Record<string, ParamSpec>;

export type PipelineInfo = {
  name: string;
  description: string;
  state: 'ready' | 'warming';
  paramsSchema: ParamsSchema;
  priceWeiPerSecond: string | undefined;
  orchestrators: number | undefined;
};

/**
 * The built-in pipelines, shown until the gateway answers `GET /pipelines` (older gateways): names,
 * descriptions and params as the pipelines package declares them. States and prices are unknown.
 */
const builtIn: Omit<PipelineInfo, 'state' | 'priceWeiPerSecond' | 'orchestrators'>[] = [
  { name: 'passthrough', description: 'Returns every frame unchanged.', paramsSchema: {} },
  { name: 'invert', description: 'Inverts the colours of each frame.', paramsSchema: {} },
  {
    name: 'background-blur',
    description: 'Keeps the person sharp and blurs the background.',
    paramsSchema: {
      blurRadiusPx: {
        type: 'integer',
        default: 12,
        min: 1,
        max: 32,
        description: 'Background blur radius in frame pixels.',
      },
      maskThreshold: {
        type: 'number',
        default: 0.5,
        min: 0,
        max: 1,
        description: 'Person probability at which a pixel is half person, half background.',
      },
      edgeSoftness: {
        type: 'number',
        default: 0.5,
        min: 0.01,
        max: 1,
        description: 'Width of the ramp from background to person (small: hard edges).',
      },
      model: {
        type: 'enum',
        values: ['general', 'landscape'],
        default: 'general',
        description: 'Segmentation model: general (square) or landscape (16:9).',
      },
    },
  },
  {
    name: 'sketch',
    description: 'Draws the frame as dark pencil lines on white.',
    paramsSchema: {
      strength: { type: 'number', default: 4, min: 0, max: 20, description: 'Ink per edge.' },
      threshold: {
        type: 'number',
        default: 0.08,
        min: 0,
        max: 1,
        description: 'Edge strength below which nothing is drawn.',
      },
    },
  },
  {
    name: 'toon',
    description: 'Cartoon look: posterised colours plus dark outlines.',
    paramsSchema: {
      levels: { type: 'integer', default: 5, min: 2, max: 32, description: 'Levels per channel.' },
      edgeStrength: {
        type: 'number',
        default: 0.8,
        min: 0,
        max: 1,
        description: 'Opacity of the outlines.',
      },
    },
  },
  {
    name: 'color-grade',
    description: 'Saturation, contrast, brightness, temperature and gamma.',
    paramsSchema: {
      saturation: { type: 'number', default: 1, min: 0, max: 3, description: 'Colourfulness.' },
      contrast: { type: 'number', default: 1, min: 0, max: 3, description: 'Contrast.' },
      brightness: { type: 'number', default: 0, min: -1, max: 1, description: 'Brightness.' },
      temperature: { type: 'number', default: 0, min: -1, max: 1, description: 'Warm or cool.' },
      gamma: { type: 'number', default: 1, min: 0.2, max: 5, description: 'Mid-tones.' },
    },
  },
  {
    name: 'pixelate',
    description: 'Mosaic: the frame averaged over square blocks.',
    paramsSchema: {
      blockSizePx: {
        type: 'integer',
        default: 16,
        min: 2,
        max: 256,
        multipleOf: 2,
        description: 'Side of the blocks in pixels.',
      },
    },
  },
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The gateway's pipelines, or the built-in list when it has no `/pipelines` (yet) or cannot be
 * reached (`reachable` says which).
 */
export async function loadPipelines(
  gatewayUrl: string,
): Promise<{ pipelines: PipelineInfo[]; fromGateway: boolean; reachable: boolean }> {
  let reachable = false;
  try {
    const res = await fetch(`${gatewayUrl}/pipelines`);
    reachable = true;
    if (res.ok) {
      const body: unknown = await res.json();
      const list = isRecord(body) && Array.isArray(body.pipelines) ? body.pipelines : [];
      // The studio publishes video: pipelines that process audio only are not offered (yet).
      const video = list
        .filter(isRecord)
        .filter((p) => !Array.isArray(p.media) || p.media.includes('video'));
      const pipelines = video.map((p): PipelineInfo => {
        const schema = isRecord(p.paramsSchema) ? (p.paramsSchema as ParamsSchema) : {};
        // Orchestrators that do not describe their params yet: the built-in description.
        const known = builtIn.find((b) => b.name === p.name)?.paramsSchema ?? {};
        return {
          name: String(p.name),
          description: typeof p.description === 'string' ? p.description : '',
          state: p.state === 'warming' ? 'warming' : 'ready',
          paramsSchema: Object.keys(schema).length > 0 ? schema : known,
          priceWeiPerSecond:
            typeof p.priceWeiPerSecond === 'string' ? p.priceWeiPerSecond : undefined,
          orchestrators: typeof p.orchestrators === 'number' ? p.orchestrators : undefined,
        };
      });
      if (pipelines.length > 0) return { pipelines, fromGateway: true, reachable };
    }
  } catch {
    // Unreachable gateway: the caller says so; the list below lets the page render.
  }
  return {
    pipelines: builtIn.map((p) => ({
      ...p,
      state: 'ready',
      priceWeiPerSecond: undefined,
      orchestrators: undefined,
    })),
    fromGateway: false,
    reachable,
  };
}

/** Every param at its default. */
export function defaultParams(schema: ParamsSchema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => [name, spec.default]),
  );
}

/** A price per second in words: free, or a short amount of wei, gwei or ETH per second. */
export function formatPrice(weiPerSecond: bigint): string {
  return weiPerSecond === 0n ? 'free' : `${formatWei(weiPerSecond)}/s`;
}

/** Wei as a short human amount: wei, gwei or ETH. */
export function formatWei(wei: bigint): string {
  if (wei === 0n) return '0';
  if (wei < 1_000_000n) return `${wei} wei`;
  if (wei < 10n ** 15n) return `${trim(Number(wei) / 1e9)} gwei`;
  return `${trim(Number(wei) / 1e18)} ETH`;
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
