import type {
  NumberParamSpec,
  ParamSpec,
  PipelineParamsSchema,
  StringParamSpec,
} from '@peerframe/wire';

/**
 * The params form of a pipeline, generated from its schema (`@peerframe/wire`'s param specs): a
 * slider for each number, a select for each enum, a checkbox for each boolean, a text area for a
 * workflow (its JSON), a colour picker for a `#rrggbb` string, a text field for any other string. Each change is reported at once (the
 * caller throttles what it sends). `labels` names fields (default: from the param's name).
 */
export function renderParamsPanel(
  container: HTMLElement,
  schema: PipelineParamsSchema,
  values: Record<string, unknown>,
  onChange: (name: string, value: unknown) => void,
  labels: Readonly<Record<string, string>> = {},
): void {
  const fields = Object.entries(schema).map(([name, spec]) =>
    field(name, spec, values, onChange, labels[name] ?? label(name)),
  );
  if (fields.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'muted';
    empty.textContent = 'This effect has no settings.';
    container.replaceChildren(empty);
    return;
  }
  container.replaceChildren(...fields);
}

function isNumber(spec: ParamSpec): spec is NumberParamSpec {
  return spec.type === 'number' || spec.type === 'integer';
}

/** A string param whose values are colours, `#rrggbb`. */
function isColour(spec: StringParamSpec): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(spec.default) && (spec.maxLength ?? 7) <= 7;
}

function label(name: string): string {
  const words = name
    .replace(/Px$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function field(
  name: string,
  spec: ParamSpec,
  values: Record<string, unknown>,
  onChange: (name: string, value: unknown) => void,
  text: string,
): HTMLElement {
  const wrapper = document.createElement('label');
  wrapper.className = 'param';
  wrapper.title = spec.description;
  const head = document.createElement('span');
  head.className = 'param-head';
  const title = document.createElement('span');
  title.textContent = text;
  const readout = document.createElement('output');
  head.append(title, readout);
  wrapper.append(head);
  const value = values[name] ?? spec.default;
  if (isNumber(spec)) {
    const input = document.createElement('input');
    input.type = 'range';
    input.dataset.param = name;
    input.min = String(spec.min);
    input.max = String(spec.max);
    input.step = String(
      spec.multipleOf ?? (spec.type === 'integer' ? 1 : niceStep(spec.max - spec.min)),
    );
    input.value = String(value);
    const show = () => {
      readout.textContent = /Px$/.test(name) ? `${input.value} px` : input.value;
    };
    show();
    input.addEventListener('input', () => {
      show();
      onChange(name, Number(input.value));
    });
    wrapper.append(input);
  } else if (spec.type === 'enum') {
    const select = document.createElement('select');
    select.dataset.param = name;
    for (const option of spec.values) select.add(new Option(option, option));
    select.value = String(value);
    select.addEventListener('change', () => onChange(name, select.value));
    wrapper.append(select);
  } else if (spec.type === 'boolean') {
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.dataset.param = name;
    input.checked = value === true;
    input.addEventListener('change', () => onChange(name, input.checked));
    wrapper.append(input);
  } else if (spec.type === 'workflow') {
    // A whole ComfyUI workflow (API format): sent as its JSON text, which the pipeline parses.
    const area = document.createElement('textarea');
    area.dataset.param = name;
    area.rows = 6;
    area.spellcheck = false;
    area.value = typeof value === 'string' ? value : JSON.stringify(value, null, 1);
    area.addEventListener('change', () => onChange(name, area.value));
    wrapper.append(area);
  } else if (isColour(spec)) {
    const input = document.createElement('input');
    input.type = 'color';
    input.dataset.param = name;
    input.value = typeof value === 'string' ? value : spec.default;
    input.addEventListener('input', () => onChange(name, input.value));
    wrapper.append(input);
  } else {
    const input = document.createElement('input');
    input.type = 'text';
    input.dataset.param = name;
    input.maxLength = spec.maxLength ?? 256;
    input.value = typeof value === 'string' ? value : spec.default;
    input.addEventListener('change', () => onChange(name, input.value));
    wrapper.append(input);
  }
  if (spec.description) {
    const help = document.createElement('small');
    help.textContent = spec.description;
    wrapper.append(help);
  }
  return wrapper;
}

function niceStep(range: number): number {
  const raw = range / 100;
  const power = 10 ** Math.floor(Math.log10(raw));
  return raw / power >= 5 ? 5 * power : raw / power >= 2 ? 2 * power : power;
}
