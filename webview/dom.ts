/**
 * Tiny DOM builder. Every string goes in as a text node or an attribute value, never as HTML, so
 * text from user code (names, inputs, results, errors, paths) cannot become markup.
 */

/** Options of {@link h}: class, text content, title tooltip and plain attributes. */
export interface ElementOptions {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

type Child = Node | string | null | undefined | false;

/** Creates an element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  if (options.text != null) el.textContent = String(options.text);
  if (options.title !== undefined) el.title = options.title;
  for (const [name, value] of Object.entries(options.attrs ?? {})) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** A section with a heading, the panel's unit of layout. */
export function section(id: string, title: string, children: Child[]): HTMLElement {
  return h('section', { className: 'card', attrs: { id } }, [h('h2', { text: title }), ...children]);
}
