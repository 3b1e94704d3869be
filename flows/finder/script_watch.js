// Installed in every document of a context before its own scripts (an init script: values come as the
// argument it is called with). It marks a document that has held a script element at any moment, even one
// that removed itself after starting its work (`scriptedMark`), and counts what is still to come although no
// request is out yet: the page's short timers (a table's request started after a pause, a placeholder
// replaced), counted as Angular's Testability counts macrotasks, and the requests its scripts have out. A
// timer longer than `timerBoundMs`, or set by a chain of timers `timerDepth` deep (a clock ticking), is not
// waited for. `window[workMark]` keeps the page's own setTimeout, for the settling's timers.
({scriptedMark, workMark, timerBoundMs, timerDepth}) => {
  const mark = () => {
    try { Object.defineProperty(document, scriptedMark, {value: true, configurable: true}); } catch (e) {}
  };
  const watch = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeName === "SCRIPT" || (node.querySelector && node.querySelector("script"))) {
          mark(); watch.disconnect(); return;
        }
      }
    }
  });
  watch.observe(document, {subtree: true, childList: true});
  const native = {setTimeout: window.setTimeout, clearTimeout: window.clearTimeout};
  const pending = new Map();
  let depth = 0;
  const work = {
    setTimeout: (fn, ms) => native.setTimeout.call(window, fn, ms),
    clearTimeout: (id) => native.clearTimeout.call(window, id),
    native: native.setTimeout, requests: 0,
    busy: () => {
      const now = performance.now();
      for (const [id, due] of pending) if (due < now) pending.delete(id);
      return pending.size > 0 || work.requests > 0;
    },
  };
  try { Object.defineProperty(window, workMark, {value: work}); } catch (e) { return; }
  work.wrapped = window.setTimeout = function (callback, delay) {
    const ms = Number(delay) || 0;
    if (ms > timerBoundMs || depth >= timerDepth) return native.setTimeout.apply(window, arguments);
    const level = depth + 1;
    const args = [...arguments];
    let id;
    if (typeof callback === "function") {
      args[0] = function () {
        pending.delete(id);
        const outer = depth;
        depth = level;
        try { return callback.apply(this, arguments); } finally { depth = outer; }
      };
    }
    id = native.setTimeout.apply(window, args);
    // A callback given as text runs when due; one given as a function says so itself.
    pending.set(id, typeof callback === "function" ? Infinity : performance.now() + ms + 100);
    return id;
  };
  window.clearTimeout = function (id) { pending.delete(id); return native.clearTimeout.apply(window, arguments); };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    work.requests += 1;
    this.addEventListener("loadend", () => { work.requests -= 1; }, {once: true});
    try { return send.apply(this, arguments); } catch (e) { work.requests -= 1; throw e; }
  };
  if (typeof window.fetch === "function") {
    const fetch = window.fetch;
    window.fetch = function () {
      work.requests += 1;
      const done = () => { work.requests -= 1; };
      const answer = fetch.apply(this, arguments);
      answer.then(done, done);
      return answer;
    };
  }
}
