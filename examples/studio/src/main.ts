import {
  createSession,
  type Session,
  type SessionErrorEvent,
  type SessionState,
  type SessionStats,
} from '@peerframe/client-sdk';
import {
  defaultPipelineParams,
  type PipelineOffer,
  type PipelineParamsSchema,
  pipelineMedia,
} from '@peerframe/wire';
import { formatPrice, formatWei, loadPipelines } from './catalog.ts';
import { gatewayUrlOfPage } from './gatewayUrl.ts';
import { LiveChart } from './LiveChart.ts';
import { renderParamsPanel } from './ParamsPanel.ts';
import { SoundPanel, type SoundSourceId } from './SoundPanel.ts';
import { listCameras, openCamera, openTestPattern, type Source, testPatternId } from './sources.ts';
import { splitVoiceEffects, voiceEffectLabels } from './voiceEffects.ts';
import './style.css';

const gatewayUrl = gatewayUrlOfPage();

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

const ui = {
  status: byId('status'),
  statusText: byId('status-text'),
  orchestrator: byId('orchestrator'),
  sourceSelect: byId<HTMLSelectElement>('source'),
  pipelines: byId('pipelines'),
  pipelinesNote: byId('pipelines-note'),
  params: byId('params'),
  paramsTitle: byId('params-title'),
  voiceEffects: byId('voice-effects'),
  voiceEffectsNote: byId('voice-effects-note'),
  inputVideo: byId<HTMLVideoElement>('input-video'),
  outputVideo: byId<HTMLVideoElement>('output-video'),
  outputOverlay: byId('output-overlay'),
  message: byId('message'),
  shareUrl: byId<HTMLInputElement>('share-url'),
  shareCopy: byId<HTMLButtonElement>('share-copy'),
  shareOpen: byId<HTMLAnchorElement>('share-open'),
  stop: byId<HTMLButtonElement>('stop'),
  measureLatency: byId<HTMLInputElement>('measure-latency'),
  soundSource: byId<HTMLSelectElement>('sound-source'),
  soundSend: byId<HTMLInputElement>('sound-send'),
  fps: byId('readout-fps'),
  latency: byId('latency'),
  hops: byId('readout-hops'),
  price: byId('readout-price'),
  spent: byId('readout-spent'),
  charts: byId('charts'),
};

const sound = new SoundPanel({
  source: byId<HTMLSelectElement>('sound-source'),
  levelIn: byId<HTMLMeterElement>('level-in'),
  levelOut: byId<HTMLMeterElement>('level-out'),
  send: byId<HTMLInputElement>('sound-send'),
  listen: byId<HTMLInputElement>('sound-listen'),
  output: ui.outputVideo,
});

const charts = {
  fps: new LiveChart({
    title: 'Frames per second',
    unit: '',
    minMax: 30,
    series: [
      { label: 'in', color: '#5b8cff' },
      { label: 'out', color: '#3ddc97' },
    ],
  }),
  latency: new LiveChart({
    title: 'Latency (glass to glass)',
    unit: 'ms',
    minMax: 100,
    series: [
      { label: 'p50', color: '#ffb454' },
      { label: 'p95', color: '#ff6b6b' },
    ],
  }),
  spend: new LiveChart({
    title: 'Spend per second',
    unit: 'gwei',
    minMax: 1,
    series: [{ label: 'spend', color: '#c792ea' }],
  }),
};
ui.charts.append(charts.fps.element, charts.latency.element, charts.spend.element);

type Studio = {
  pipelines: PipelineOffer[];
  source: Source | undefined;
  sourceId: string;
  session: Session | undefined;
  pipeline: PipelineOffer | undefined;
  params: Record<string, unknown>;
  updating: boolean;
  pendingUpdate: Record<string, unknown> | undefined;
  lastPayment: { spentWei: bigint; atMs: number } | undefined;
  spendGweiPerSecond: number | undefined;
  /** The serving orchestrator's price, until payments say what is spent. */
  priceGweiPerSecond: number | undefined;
  /** Effects started so far: a start overtaken by a later one (a click while the sound source
   * restarts the effect) closes what it made instead of leaving a second stream running. */
  starts: number;
};

const studio: Studio = {
  pipelines: [],
  source: undefined,
  sourceId: '',
  session: undefined,
  pipeline: undefined,
  params: {},
  updating: false,
  pendingUpdate: undefined,
  lastPayment: undefined,
  spendGweiPerSecond: undefined,
  priceGweiPerSecond: undefined,
  starts: 0,
};

const stateText: Record<SessionState | 'idle', string> = {
  idle: 'Pick an effect to start',
  connecting: 'Connecting to the network…',
  warming: 'Warming up the effect — the first frames take a few seconds',
  live: 'Live',
  reconnecting: 'Reconnecting — your stream will be back in a moment',
  ended: 'Stopped',
};

function showState(state: SessionState | 'idle', detail?: string): void {
  ui.status.dataset.state = state;
  ui.statusText.textContent = detail ?? stateText[state];
  const overlay =
    state === 'live'
      ? ''
      : state === 'idle' || state === 'ended'
        ? 'Pick an effect to start'
        : stateText[state];
  ui.outputOverlay.textContent = overlay;
  ui.outputOverlay.hidden = overlay === '';
}

/** Says what went wrong in words a creator understands (codes stay in the tooltip). */
function showMessage(text: string | undefined, code?: string): void {
  ui.message.hidden = !text;
  ui.message.textContent = text ?? '';
  ui.message.title = code ?? '';
}

function friendly(error: SessionErrorEvent): string {
  switch (error.code) {
    case 'gateway_unreachable':
      return `Can't reach the PeerFrame gateway at ${gatewayUrl}. Is it running?`;
    case 'no_orchestrator':
      return 'No GPU node can run this effect right now. Try again in a moment, or pick another effect.';
    case 'forbidden':
    case 'invalid_stream_key':
      return 'Your stream key was refused. Check it and try again.';
    case 'rate_limited':
      return 'Too many attempts in a short time: wait a few seconds and try again.';
    case 'pipeline_not_allowed':
      return 'Your stream key may not use this effect. Pick another one.';
    case 'unknown_pipeline':
      return 'This effect is not available on the network any more. Pick another one.';
    case 'invalid_params':
    case 'invalid_pipeline_params':
      return `That setting was refused: ${error.message}`;
    default:
      return error.message;
  }
}

function renderPipelines(): void {
  ui.pipelines.replaceChildren(
    ...studio.pipelines.map((pipeline) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'pipeline';
      button.dataset.pipeline = pipeline.name;
      button.setAttribute('aria-pressed', String(studio.pipeline?.name === pipeline.name));
      const name = document.createElement('span');
      name.className = 'pipeline-name';
      name.textContent = pipeline.name;
      const badge = document.createElement('span');
      badge.className = `badge badge-${pipeline.state}`;
      badge.textContent = pipeline.state === 'ready' ? 'ready' : 'warming up';
      const description = document.createElement('span');
      description.className = 'pipeline-description';
      description.textContent = pipeline.description;
      const meta = document.createElement('span');
      meta.className = 'pipeline-meta';
      const price = formatPrice(BigInt(pipeline.priceWeiPerSecond));
      const nodes = `${pipeline.orchestrators} node${pipeline.orchestrators === 1 ? '' : 's'}`;
      meta.textContent = `${price} · ${nodes}`;
      button.append(name, badge, description, meta);
      button.addEventListener('click', () => void start(pipeline));
      return button;
    }),
  );
}

/** Loads the pipeline list from the gateway (and says why it is empty, when it is). */
async function refreshPipelines(): Promise<void> {
  const { pipelines, problem } = await loadPipelines(gatewayUrl);
  studio.pipelines = pipelines;
  ui.pipelinesNote.textContent = problem ?? '';
  renderPipelines();
}

async function useSource(id: string): Promise<void> {
  let next: Source;
  try {
    next = id === testPatternId ? openTestPattern() : await openCamera(id || undefined);
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    showMessage(
      name === 'NotAllowedError'
        ? 'Camera access is blocked. Allow it in the address bar, or pick the test pattern.'
        : name === 'NotFoundError'
          ? 'No camera found: showing the test pattern instead.'
          : `The camera could not start (${error instanceof Error ? error.message : String(error)}): showing the test pattern instead.`,
    );
    next = openTestPattern();
    id = testPatternId;
  }
  const previous = studio.source;
  studio.source = next;
  studio.sourceId = id;
  ui.inputVideo.srcObject = next.stream;
  if (studio.session) await studio.session.publish(next.stream);
  previous?.stop();
  await renderSources();
}

async function renderSources(): Promise<void> {
  const cameras = await listCameras();
  const options = cameras.map(
    (camera, i) => new Option(camera.label || `Camera ${i + 1}`, camera.deviceId),
  );
  options.push(new Option('Test pattern (built in)', testPatternId));
  ui.sourceSelect.replaceChildren(...options);
  const current = studio.source?.stream.getVideoTracks()[0]?.getSettings().deviceId;
  ui.sourceSelect.value = studio.sourceId === testPatternId ? testPatternId : (current ?? '');
}

async function stopSession(): Promise<void> {
  const session = studio.session;
  studio.session = undefined;
  studio.lastPayment = undefined;
  studio.spendGweiPerSecond = undefined;
  studio.priceGweiPerSecond = undefined;
  ui.orchestrator.textContent = '';
  ui.orchestrator.removeAttribute('data-url');
  setShareLink(undefined);
  ui.outputVideo.srcObject = null;
  sound.watchOutput(undefined);
  await session?.close();
}

async function start(pipeline: PipelineOffer): Promise<void> {
  if (!studio.source) return;
  const attempt = ++studio.starts;
  await stopSession();
  if (attempt !== studio.starts) return;
  showMessage(undefined);
  studio.pipeline = pipeline;
  studio.params = { ...defaultPipelineParams(pipeline.paramsSchema) };
  renderPipelines();
  ui.paramsTitle.textContent = `Settings · ${pipeline.name}`;
  const { voice, others } = splitVoiceEffects(pipeline.paramsSchema);
  renderParamsPanel(ui.params, others, studio.params, (name, value) => changeParam(name, value));
  renderVoiceEffects(voice, pipeline);
  for (const chart of Object.values(charts)) chart.clear();
  ui.price.textContent = formatPrice(BigInt(pipeline.priceWeiPerSecond));
  ui.spent.textContent = '–';
  studio.priceGweiPerSecond = Number(BigInt(pipeline.priceWeiPerSecond)) / 1e9;
  const session = await createSession({
    gatewayUrl,
    pipeline: pipeline.name,
    measureLatency: ui.measureLatency.checked,
    audio: sound.track ?? false,
  });
  if (attempt !== studio.starts) {
    await session.close();
    return;
  }
  session.setAudioEnabled(sound.sending);
  studio.session = session;
  const mine = () => studio.session === session;
  session.on('state', (state) => {
    if (!mine()) return;
    showState(state);
    if (state === 'live') showMessage(undefined);
  });
  session.on('error', (error) => {
    if (mine()) showMessage(friendly(error), error.code);
  });
  session.on('orchestrator', (info) => {
    if (!mine()) return;
    ui.orchestrator.dataset.url = info.url;
    ui.orchestrator.textContent = `GPU node ${new URL(info.url).host}`;
    ui.price.textContent = formatPrice(info.priceWeiPerSecond);
    studio.priceGweiPerSecond = Number(info.priceWeiPerSecond) / 1e9;
  });
  session.on('payment', (payment) => {
    if (!mine()) return;
    const now = performance.now();
    const last = studio.lastPayment;
    if (last && now > last.atMs) {
      const gwei = Number(payment.spentWei - last.spentWei) / 1e9;
      studio.spendGweiPerSecond = gwei / ((now - last.atMs) / 1000);
    }
    studio.lastPayment = { spentWei: payment.spentWei, atMs: now };
    ui.price.textContent = formatPrice(payment.priceWeiPerSecond);
    ui.spent.textContent = formatWei(payment.spentWei);
  });
  session.on('stats', (stats) => {
    if (mine()) showStats(stats);
  });
  session.on('output', (stream) => {
    if (!mine()) return;
    if (ui.outputVideo.srcObject !== stream) ui.outputVideo.srcObject = stream;
    sound.watchOutput(stream);
  });
  ui.outputVideo.srcObject = session.output;
  showState('connecting');
  try {
    await session.publish(studio.source.stream);
    if (mine()) setShareLink(session.playbackUrl);
  } catch (error) {
    if (!mine()) return;
    showState('ended', 'Not connected');
    if (!ui.message.textContent) {
      showMessage(error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * The Sound card's voice effects: the pipeline's noise suppression, pitch and gain, sent as live
 * params like any other setting (the orchestrator applies them to the sound between two frames).
 */
function renderVoiceEffects(voice: PipelineParamsSchema, pipeline: PipelineOffer): void {
  const has = Object.keys(voice).length > 0;
  ui.voiceEffects.hidden = !has;
  ui.voiceEffectsNote.textContent = has
    ? 'Applied to the sound on the GPU node, in sync with the video.'
    : pipelineMedia(pipeline).includes('audio')
      ? `${pipeline.name} processes the sound itself: see its settings.`
      : `${pipeline.name} leaves the sound as it is (relayed in sync): pick another effect for voice effects.`;
  if (has) {
    renderParamsPanel(
      ui.voiceEffects,
      voice,
      studio.params,
      (name, value) => changeParam(name, value),
      voiceEffectLabels,
    );
  } else ui.voiceEffects.replaceChildren();
}

function changeParam(name: string, value: unknown): void {
  studio.params[name] = value;
  studio.pendingUpdate = { ...(studio.pendingUpdate ?? {}), [name]: value };
  void flushParams();
}

/** Sends param changes one update at a time, always the latest values (slider drags stay live). */
async function flushParams(): Promise<void> {
  const session = studio.session;
  if (studio.updating || !session || !studio.pendingUpdate) return;
  const update = studio.pendingUpdate;
  studio.pendingUpdate = undefined;
  studio.updating = true;
  try {
    await session.update(update);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'update_failed';
    const message = (error as { shortMessage?: string }).shortMessage ?? String(error);
    showMessage(friendly({ code, message, retryable: false }), code);
  } finally {
    studio.updating = false;
  }
  if (studio.pendingUpdate) await flushParams();
}

function showStats(stats: SessionStats): void {
  const fpsIn = stats.fpsIn ?? stats.fpsSent;
  const fpsOut = stats.fpsOut ?? stats.fpsReceived;
  charts.fps.push([fpsIn, fpsOut]);
  charts.latency.push([stats.latencyMs, stats.latencyP95Ms]);
  charts.spend.push([studio.spendGweiPerSecond ?? studio.priceGweiPerSecond]);
  ui.fps.textContent = `${fpsIn === undefined ? '–' : Math.round(fpsIn)} / ${fpsOut === undefined ? '–' : Math.round(fpsOut)}`;
  ui.latency.textContent = stats.latencyMs === undefined ? '–' : `${stats.latencyMs} ms`;
  ui.latency.dataset.ms = stats.latencyMs === undefined ? '' : String(stats.latencyMs);
  ui.hops.textContent = stats.hops ? describeHops(stats.hops) : '–';
}

/** The hops of a second in path order, e.g. "you → gateway 18 · → orchestrator 2 · …". */
function describeHops(hops: NonNullable<SessionStats['hops']>): string {
  const steps: [string, number | undefined][] = [
    ['you → gateway', hops.publisherToGateway],
    ['→ orchestrator', hops.gatewayToOrchestrator],
    ['queue', hops.orchestratorQueue],
    ['pipeline', hops.pipeline],
    ['encode + → gateway', hops.orchestratorToGateway],
    ['→ you', hops.gatewayToPublisher],
  ];
  return steps
    .map(([label, ms]) => `${label} ${ms === undefined ? '–' : Math.round(ms)}`)
    .join(' · ');
}

function setShareLink(playbackUrl: string | undefined): void {
  if (!playbackUrl) {
    ui.shareUrl.value = '';
    ui.shareOpen.href = '#share';
    ui.shareOpen.setAttribute('aria-disabled', 'true');
    ui.shareCopy.disabled = true;
    return;
  }
  const viewer = new URL('viewer.html', window.location.href);
  viewer.search = new URLSearchParams({ whep: playbackUrl }).toString();
  ui.shareUrl.value = viewer.toString();
  ui.shareOpen.href = viewer.toString();
  ui.shareOpen.removeAttribute('aria-disabled');
  ui.shareCopy.disabled = false;
}

ui.shareCopy.addEventListener('click', () => {
  void navigator.clipboard?.writeText(ui.shareUrl.value).then(
    () => {
      ui.shareCopy.textContent = 'Copied';
      setTimeout(() => {
        ui.shareCopy.textContent = 'Copy';
      }, 1500);
    },
    () => ui.shareUrl.select(),
  );
});
ui.sourceSelect.addEventListener('change', () => void useSource(ui.sourceSelect.value));
ui.soundSource.addEventListener(
  'change',
  () => void useSound(ui.soundSource.value as SoundSourceId),
);
ui.soundSend.addEventListener('change', () => studio.session?.setAudioEnabled(sound.sending));

/** Opens another sound source; a running effect starts again with it (from its default settings). */
async function useSound(id: SoundSourceId): Promise<void> {
  try {
    await sound.open(id);
  } catch (error) {
    showMessage(
      `The microphone could not start (${error instanceof Error ? error.message : String(error)}): sending no sound.`,
    );
    await sound.open('none');
  }
  if (studio.session && studio.pipeline) await start(studio.pipeline);
}
ui.stop.addEventListener('click', () => {
  studio.pipeline = undefined;
  renderPipelines();
  void stopSession().then(() => showState('idle'));
});
window.addEventListener('pagehide', () => void stopSession());

async function main(): Promise<void> {
  showState('idle');
  setShareLink(undefined);
  // `?pipeline=<name>` starts that effect as soon as the gateway lists it.
  let wanted = new URLSearchParams(window.location.search).get('pipeline') ?? undefined;
  const startWanted = async () => {
    const pipeline = studio.pipelines.find((p) => p.name === wanted);
    if (!pipeline) return;
    wanted = undefined;
    await start(pipeline);
  };
  await Promise.all([refreshPipelines(), useSource(''), sound.open('tone')]);
  await startWanted();
  // Pipelines come and go and warm up with the orchestrators: keep the list fresh.
  setInterval(() => void refreshPipelines().then(startWanted), 5_000);
}

void main();
