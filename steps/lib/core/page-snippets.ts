/**
 * Browser JavaScript shared by the workbench's two local pages (the inspector and the sandbox's
 * delivery log), kept as strings and pasted into each page's script, so both behave the same way.
 *
 * @example
 * export const PAGE_SCRIPT = String.raw`(function () { ${PAGE_CLOCK_FUNCTION} ${PAGE_ELEMENT_FUNCTION} ... })();`;
 */

/** `when(iso)`: the one time format, local date and time to the millisecond, `2026-05-04 09:30:00.123`. */
export const PAGE_CLOCK_FUNCTION = `function when(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    const two = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes()) + ':' +
      two(d.getSeconds()) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }`;

/** `el(tag, className, text)`: a new element; text goes in as text, never as HTML. */
export const PAGE_ELEMENT_FUNCTION = `function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }`;

/** The pages' common ground: colours (light and dark), the font, the header and its title. */
export const PAGE_BASE_CSS = `:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --line: #8884; --pick: #0969da22; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; }
header { display: flex; gap: 1.5rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.15rem; margin: 0; }
`;
