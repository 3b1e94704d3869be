// What `arrive` hands `Tab.settle` (settle.js), over every document of the window: a frameset or an iframe is
// one screen to a person. Called with `left`, the mark of a document the bot has left (an opener still showing
// the screen the bot acted on is not where the portal went):
// - `docs()`, the window's documents; `waiting()`, whether a placeholder (読み込み中…) is shown;
// - `shows(queries)`, whether one of the engine's queries has an element a person can see (as Playwright's
//   `visible`: rendered, not `visibility: hidden`, with a size) in a document not left;
// - `read({queries, pairs, tables, closers})`: the screen's text (as `inner_text` of the bodies), per query
//   whether the screen has it, the key/value rows of `pairs` (as `read_pairs`), per [query, columns] of
//   `tables` the rows of the first such table (as `read_table`) or null, the frames the screen is in, and
//   the text and caption of an overlay closed by one of `closers`, or null.
(left) => {
  const lib = __LIBRARY__;
  const docs = () => lib.documents(document);
  const fresh = () => docs().filter((d) => d[left] !== true);
  const seen = (el) => {
    const box = el.getBoundingClientRect();
    const shown = el.checkVisibility ? el.checkVisibility({visibilityProperty: true})
      : getComputedStyle(el).visibility !== "hidden";
    return shown && box.width > 0 && box.height > 0;
  };
  return {
    docs,
    waiting: () => lib.placeholders(docs()).length > 0,
    shows: (queries) => queries.some((q) => lib.queryAll(fresh(), q).some(seen)),
    read: ({queries, pairs, tables, closers}) => {
      const all = fresh();
      const overlay = lib.overlays(all, closers)[0];
      return {
        text: all.map((d) => d.body ? d.body.innerText : "").join("\n"),
        found: queries.map((q) => lib.queryAll(all, q).length > 0),
        pairs: lib.readPairs(all, pairs),
        tables: tables.map(([q, columns]) => {
          const t = lib.queryAll(all, q)[0];
          return t ? lib.readTable(t, columns) : null;
        }),
        frames: all.map(lib.frameOf).filter((f) => f !== null),
        overlay: overlay
          ? {text: lib.overlayText(overlay), caption: lib.core(overlay.innerText || overlay.value || "")}
          : null,
      };
    },
  };
}
