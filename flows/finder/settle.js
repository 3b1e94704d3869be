// Waits until the screen shows what is awaited (`screen.shows(until)`) and has settled, then reads it with
// `arg` (`screen.read(arg)`), in one call. `screen` is the screen's reader (read_screen.js) or the whole
// window (whole_window.js), written in rather than evaluated: a portal's CSP may forbid eval.
// The quiet period starts once what is awaited is shown, and ends settled only when no document is loading, no
// short timer or script request of the page is pending (script_watch.js), and no placeholder shows; `shown`
// tells a screen that never showed it from one that never settled. Every document of the window is watched,
// those a frame loads later too. A document that runs no script, alone in its window, has settled at `load`.
({quiet, max, alone, allowed, mark, work, until, arg}) => new Promise(resolve => {
  const screen = __SCREEN__;
  const own = window[work];
  const later = own ? own.setTimeout : setTimeout;  // the settling's own timers are not the page's work
  const cancel = own ? own.clearTimeout : clearTimeout;
  let shown = until === null, timer, expire;
  const observed = new Set();
  const observer = new MutationObserver(() => changed());
  function follow() {
    for (const doc of screen.docs()) {
      if (observed.has(doc)) continue;
      observed.add(doc);
      observer.observe(doc, {subtree: true, childList: true, characterData: true, attributes: true});
      doc.addEventListener("load", changed, true);  // a frame in it loaded a document
    }
  }
  const busy = () => screen.docs().some((doc) => doc.readyState !== "complete"
    || (doc.defaultView && doc.defaultView[work] && doc.defaultView[work].busy())) || screen.waiting();
  const finish = (settled) => {
    observer.disconnect(); cancel(timer); cancel(expire);
    for (const doc of observed) doc.removeEventListener("load", changed, true);
    resolve({settled, shown, value: settled ? screen.read(arg) : null});
  };
  const check = () => {
    follow();
    if (busy()) { timer = later(check, quiet); return; }
    finish(true);
  };
  function changed() {
    follow();
    if (!shown && !(shown = screen.shows(until))) return;
    cancel(timer); timer = later(check, quiet);
  }
  const handlers = (el) => [...el.attributes].some(
    (a) => a.name.startsWith("on") && !allowed.includes(a.name.toLowerCase()));
  const runsScript = () => document[mark] === true
    || document.querySelector("script,iframe,frame,object,embed,meta[http-equiv=refresh i]") !== null
    || [...document.querySelectorAll("*")].some(handlers);
  follow();
  expire = later(() => finish(false), max);
  if (!shown && !(shown = screen.shows(until))) return;  // a change of the screen may show it
  if (alone && !runsScript() && !busy()) return finish(true);
  timer = later(check, quiet);
})
