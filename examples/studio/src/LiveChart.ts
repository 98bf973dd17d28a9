export type ChartSeries = { label: string; color: string };

export type LiveChartOptions = {
  title: string;
  unit: string;
  series: ChartSeries[];
  /** Points kept per series (one a second: a minute by default). */
  points?: number;
  /** The y axis starts at 0 and reaches at least this. */
  minMax?: number;
};

/**
 * A small live line chart on a canvas: a title with the latest values, a few series over a
 * rolling window, a y axis that grows to fit. Redraws on `push` and on resize.
 */
export class LiveChart {
  readonly element: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #legend: HTMLElement;
  readonly #options: Required<LiveChartOptions>;
  readonly #values: (number | undefined)[][];

  constructor(options: LiveChartOptions) {
    this.#options = { points: 60, minMax: 1, ...options };
    this.#values = options.series.map(() => []);
    this.element = document.createElement('figure');
    this.element.className = 'chart';
    const caption = document.createElement('figcaption');
    const title = document.createElement('span');
    title.className = 'chart-title';
    title.textContent = options.title;
    this.#legend = document.createElement('span');
    this.#legend.className = 'chart-legend';
    caption.append(title, this.#legend);
    this.#canvas = document.createElement('canvas');
    this.element.append(caption, this.#canvas);
    new ResizeObserver(() => this.#draw()).observe(this.#canvas);
    this.#renderLegend();
  }

  /** Adds one value per series (undefined: a gap). */
  push(values: (number | undefined)[]): void {
    this.#values.forEach((list, i) => {
      list.push(values[i]);
      if (list.length > this.#options.points) list.shift();
    });
    this.#renderLegend();
    this.#draw();
  }

  clear(): void {
    for (const list of this.#values) list.length = 0;
    this.#renderLegend();
    this.#draw();
  }

  #renderLegend(): void {
    this.#legend.replaceChildren(
      ...this.#options.series.map((s, i) => {
        const item = document.createElement('span');
        const latest = this.#values[i]?.at(-1);
        item.style.setProperty('--series', s.color);
        item.className = 'chart-value';
        item.textContent = `${s.label} ${latest === undefined ? '–' : format(latest)}${this.#options.unit ? ` ${this.#options.unit}` : ''}`;
        return item;
      }),
    );
  }

  #draw(): void {
    const canvas = this.#canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const context = canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    let max = this.#options.minMax;
    for (const list of this.#values) for (const v of list) if (v !== undefined && v > max) max = v;
    max = niceCeiling(max);
    const left = 34;
    const top = 6;
    const plotWidth = width - left - 6;
    const plotHeight = height - top - 16;
    context.font = '10px system-ui, sans-serif';
    context.fillStyle = '#7d8597';
    context.strokeStyle = 'rgba(255,255,255,0.07)';
    context.lineWidth = 1;
    for (let i = 0; i <= 2; i++) {
      const y = top + (plotHeight * i) / 2;
      context.beginPath();
      context.moveTo(left, Math.round(y) + 0.5);
      context.lineTo(left + plotWidth, Math.round(y) + 0.5);
      context.stroke();
      context.fillText(format((max * (2 - i)) / 2), 2, y + 3);
    }
    context.fillText(`${this.#options.points} s`, left, height - 3);
    const step = plotWidth / Math.max(1, this.#options.points - 1);
    this.#options.series.forEach((series, i) => {
      const list = this.#values[i] ?? [];
      const offset = this.#options.points - list.length;
      context.strokeStyle = series.color;
      context.lineWidth = 2;
      context.lineJoin = 'round';
      context.beginPath();
      let drawing = false;
      list.forEach((v, j) => {
        if (v === undefined) {
          drawing = false;
          return;
        }
        const x = left + (offset + j) * step;
        const y = top + plotHeight - (Math.min(v, max) / max) * plotHeight;
        if (drawing) context.lineTo(x, y);
        else context.moveTo(x, y);
        drawing = true;
      });
      context.stroke();
    });
  }
}

function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (value <= m * power) return m * power;
  return 10 * power;
}

function format(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(2).replace(/\.?0+$/, '');
}
