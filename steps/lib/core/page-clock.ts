/**
 * The one time format of the workbench's local pages (the inspector and the sandbox's delivery
 * log): local date and time to the millisecond, `2026-05-04 09:30:00.123`. Browser JavaScript
 * kept as a string, pasted into each page's script, so both pages write every time the same way.
 *
 * @example
 * export const PAGE_SCRIPT = String.raw`(function () { ${PAGE_CLOCK_FUNCTION} ... when(d.receivedAt) ... })();`;
 */
export const PAGE_CLOCK_FUNCTION = `function when(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    const two = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes()) + ':' +
      two(d.getSeconds()) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }`;
