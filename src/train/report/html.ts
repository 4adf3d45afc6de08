/**
 * HTML built so that nothing user-controlled can become markup: the `html` tag escapes every interpolated
 * value (config names, class folder names, case ids, file paths come from users and their data) unless it is
 * itself `html` output. A class folder named `<img src=x onerror=alert(1)>` is shown as that text.
 */

/** A fragment of trusted markup: only `html` and `joinHtml` make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content or a quoted attribute value: & < > " ' become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A value as escaped markup: SafeHtml as it is, arrays item by item, null/undefined/false as nothing. */
function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** Template tag: `html\`<td>${name}</td>\`` escapes `name`; nested `html` fragments pass through. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** Fragments joined by a literal separator. */
export function joinHtml(parts: SafeHtml[], separator = ''): SafeHtml {
  return new SafeHtml(parts.map((p) => p.value).join(separator));
}
