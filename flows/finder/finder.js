// The in-page half of flows/finder/locate.py: find what a person sees, by its text, whatever the markup.
// Called with `RULES`, the same table the Python normaliser (flows/finder/text.py) is built from.
(RULES) => {
  const SPACE = /[\s\u200b-\u200d\u2060\ufeff]+/gu;
  const DECORATIONS = RULES.decorations.map((source) => new RegExp(source, "gu"));
  const INTERACTIVE = "a,button,input,select,textarea,label,option,[onclick],[role=button],[role=link]";
  const CLICKABLE = "button,input[type=submit],input[type=button],input[type=reset],input[type=image],a,"
    + "[onclick],[role=button],[role=link]";
  const CONTROL = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset])"
    + ":not([type=image]),select,textarea";
  const NOT_SHOWN = new Set(["SCRIPT", "STYLE", "TITLE", "HEAD", "NOSCRIPT", "TEMPLATE", "OPTION"]);
  // Arrays are made by spreading, never by `Array.from`: this library also runs in the page's own world
  // (the settle-and-read script), where prototype.js and MooTools, common on portals of the 2010s, replace
  // `Array.from` with one that ignores its map function and gives nothing (or the iterator itself) for a
  // Set or an iterator.

  // One normaliser: NFKC, the wave dashes and hyphens made one, every kind of space removed.
  const spaced = (text) => {
    let out = "";
    for (const ch of (text || "").normalize("NFKC")) {
      out += RULES.waves.includes(ch) ? "~" : RULES.dashes.includes(ch) ? "-" : ch;
    }
    return out;
  };
  const key = (text) => spaced(text).replace(SPACE, "");
  const labelKey = (text) => DECORATIONS.reduce((k, d) => k.replace(d, ""), key(text));
  // A caption without the icon glyphs around it: symbols, punctuation, icon-font characters, and a lone
  // letter set apart from Japanese text (the manual's `Q 検索`).
  const core = (text) => {
    let t = spaced(text).replace(/\p{Co}/gu, " ").replace(SPACE, " ").trim();
    t = t.replace(/^[\p{S}\p{P}\s]+|[\p{S}\p{P}\s]+$/gu, "");
    t = t.replace(/^[A-Za-z]\s+(?=[^\x00-\x7f])/u, "").replace(/(?<=[^\x00-\x7f])\s+[A-Za-z]$/u, "");
    return t.replace(SPACE, "");
  };

  const shown = (el) => (el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0);
  // A root is a document or an element, or a list of them: the documents of a window's frames, which a
  // person sees as one screen (`documents`). As Playwright's selector engine, the finder gets one frame's.
  const all = (root, css) => {
    if (Array.isArray(root)) {
      const found = [];
      for (const one of root) found.push(...all(one, css));
      return found;
    }
    const found = [...root.querySelectorAll(css)];
    if (root.matches && root.matches(css)) found.unshift(root);
    return found;
  };
  // The window's documents, its own first, then those of the frames and iframes a person sees, of the same
  // origin (another origin's is out of reach, as it is of the portal's own scripts).
  const documents = (doc) => {
    const docs = [doc];
    for (let i = 0; i < docs.length; i++) {
      for (const frame of docs[i].querySelectorAll("frame,iframe")) {
        let inner = null;
        try { inner = frame.contentDocument; } catch (e) { inner = null; }
        const box = frame.getBoundingClientRect();
        if (inner && inner.documentElement && !docs.includes(inner) && box.width > 0 && box.height > 0) {
          docs.push(inner);
        }
      }
    }
    return docs;
  };
  // The frame a document is shown in, as a person would name it: its name, else its address.
  const frameOf = (doc) => {
    const el = doc.defaultView && doc.defaultView.frameElement;
    if (!el) return null;
    return el.getAttribute("name") || el.id || (el.getAttribute("src") || "").split(/[?#;]/)[0] || el.tagName.toLowerCase();
  };
  // Of nested matches (a button inside a clickable cell, a div inside its layout cell) keep the innermost.
  const innermost = (els) => els.filter((el) => !els.some((other) => other !== el && el.contains(other)));

  const captionOf = (el) => {
    if (el.tagName === "INPUT") return el.type === "image" ? el.alt || el.value || el.title : el.value;
    const label = el.getAttribute("aria-label");
    if (label) return label;
    const text = el.innerText || el.textContent || "";
    if (core(text)) return text;
    const img = el.querySelector("img[alt]");
    return (img && img.alt) || el.title || "";
  };

  const titles = (root, wanted) => innermost(all(root, "*").filter((el) => !NOT_SHOWN.has(el.tagName)
    && wanted.includes(key(el.textContent)) && !el.closest(INTERACTIVE) && shown(el)));

  const buttons = (root, wanted) => innermost(all(root, CLICKABLE).filter((el) => wanted.includes(core(captionOf(el)))
    && shown(el)));

  const controlIn = (el) => (el.matches(CONTROL) ? el : el.querySelector(CONTROL));
  // The text just before a control in its container, up to the previous control: `ログインID：<input>`.
  const textBefore = (control) => {
    let text = "";
    for (let node = control.previousSibling; node; node = node.previousSibling) {
      if (node.nodeType === 1 && (node.matches(CONTROL) || node.querySelector(CONTROL))) break;
      text = (node.textContent || "") + text;
    }
    return text;
  };
  // Each control with how it was found, in the order a person looks: a label element, an aria label or
  // placeholder, the text just before it, then the key cell before it in its row.
  const fieldsHow = (root, wanted) => {
    const found = new Map();
    for (const label of all(root, "label")) {
      if (wanted.includes(labelKey(label.textContent)) && label.control && !found.has(label.control)) {
        found.set(label.control, "label element");
      }
    }
    for (const control of all(root, CONTROL)) {
      if (found.has(control)) continue;
      const aria = control.getAttribute("aria-label") || control.getAttribute("placeholder") || control.title;
      if (aria && wanted.includes(labelKey(aria))) found.set(control, "aria-label or placeholder");
      else if (wanted.includes(labelKey(textBefore(control)))) found.set(control, "text before it");
    }
    for (const cell of all(root, "th,td,dt")) {
      if (controlIn(cell) || !wanted.includes(labelKey(cell.textContent))) continue;
      for (let next = cell.nextElementSibling; next; next = next.nextElementSibling) {
        const control = controlIn(next);
        if (control) {
          if (!found.has(control)) found.set(control, `header cell <${cell.tagName.toLowerCase()}>`);
          break;
        }
      }
    }
    return found;
  };
  const fields = (root, wanted) => [...fieldsHow(root, wanted).keys()];

  const texts = (root, wanted) => innermost(all(root, "*").filter((el) => {
    if (NOT_SHOWN.has(el.tagName)) return false;
    const k = key(el.textContent);
    return wanted.some((w) => k.includes(w)) && shown(el);
  }));

  // A short text holding a placeholder word (読み込み中…, 処理中です): the screen's content is still coming.
  const placeholders = (root) => innermost(all(root, "*").filter((el) => {
    if (NOT_SHOWN.has(el.tagName)) return false;
    const raw = el.textContent;
    // A long text is content whatever it holds: left before the normaliser, which a whole page would cost.
    if (!raw || raw.length > 4 * RULES.placeholder_max) return false;
    const k = key(raw);
    return k.length > 0 && k.length <= RULES.placeholder_max && RULES.placeholders.some((w) => k.includes(key(w)))
      && shown(el);
  }));

  // A layer in front of the screen that takes the clicks meant for it: what is hit at points across the
  // window lies in a fixed box, or in an absolute one covering most of the window.
  const layerOf = (el) => {
    const view = el.ownerDocument.defaultView;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const position = view.getComputedStyle(node).position;
      if (position === "fixed") return node;
      if (position === "absolute") {
        const box = node.getBoundingClientRect();
        if (box.width * box.height >= 0.5 * view.innerWidth * view.innerHeight) return node;
      }
    }
    return null;
  };
  const covered = (doc) => {
    const view = doc.defaultView;
    if (!view || !doc.elementFromPoint) return false;
    const [w, h] = [view.innerWidth, view.innerHeight];
    const points = [[w / 2, h / 2], [w / 4, h / 4], [3 * w / 4, h / 4], [w / 4, 3 * h / 4], [3 * w / 4, 3 * h / 4]];
    let hits = 0;
    for (const [x, y] of points) {
      const hit = doc.elementFromPoint(x, y);
      if (hit && layerOf(hit)) hits += 1;
    }
    return hits >= 3;
  };
  // The buttons that close such a layer (閉じる, OK, 確認), in the documents it covers.
  const overlays = (root, captions) => {
    const docs = Array.isArray(root) ? root : [root.ownerDocument || root];
    return buttons(docs.filter(covered), captions).filter((el) => layerOf(el) !== null);
  };
  const overlayText = (button) => {
    let layer = layerOf(button);
    for (let up = layer && layer.parentElement; up; up = up.parentElement) {
      if (layerOf(up) === up) layer = up;  // the outermost of nested layers: a backdrop around its box
    }
    return spaced((layer || button).innerText || "").replace(SPACE, " ").trim().slice(0, 300);
  };

  const headerRow = (table, wanted) => [...table.rows].findIndex((row) => {
    const cells = [...row.cells].map((cell) => labelKey(cell.textContent));
    return wanted.every((w) => cells.includes(w));
  });
  const tables = (root, wanted) => innermost(all(root, "table").filter((t) => headerRow(t, wanted) >= 0));

  const KINDS = {
    title: (root, args) => titles(root, args.map(key)),
    button: (root, args) => buttons(root, args.map(core)),
    field: (root, args) => fields(root, args.map(labelKey)),
    text: (root, args) => texts(root, args.map(key)),
    table: (root, args) => tables(root, args.map(labelKey)),
    overlay: (root, args) => overlays(root, args.map(core)),
  };
  const queryAll = (root, selector) => {
    const colon = selector.indexOf(":");
    const kind = KINDS[selector.slice(0, colon)];
    if (!kind) throw new Error(`ainas selector: unknown kind in ${selector}`);
    return kind(root, JSON.parse(decodeURIComponent(selector.slice(colon + 1))));
  };

  // Reading, once the screen has settled (finder.py evaluates this whole library around each call).
  const readTable = (table, columns) => {
    const wanted = columns.map(labelKey);
    const h = headerRow(table, wanted);
    const header = [...table.rows[h].cells].map((cell) => labelKey(cell.textContent));
    const rows = [];
    [...table.rows].forEach((row, index) => {
      if (index <= h || row.cells.length !== header.length) return;
      rows.push({ index, cells: Object.fromEntries(wanted.map((w, i) => [columns[i],
        (row.cells[header.indexOf(w)].innerText || "").trim()])) });
    });
    return rows;
  };
  const valueOf = (cell) => {
    const control = controlIn(cell);
    return control ? control.value : (cell.innerText || cell.textContent || "").trim();
  };
  // Key/value rows: the cell after the innermost key cell whose text is the label.
  const readPairs = (root, labels) => Object.fromEntries(labels.map((label) => {
    const wanted = labelKey(label);
    const keys = innermost(all(root, "th,td,dt").filter((cell) => !controlIn(cell)
      && labelKey(cell.textContent) === wanted && cell.nextElementSibling));
    const shownKeys = keys.filter(shown);
    const cell = (shownKeys[0] || keys[0]);
    return [label, cell ? valueOf(cell.nextElementSibling) : null];
  }));
  // What the screen offers, for messages naming what was expected and what was there instead.
  const seen = (root) => ({
    titles: innermost(all(root, "h1,h2,h3,h4,h5,h6,caption,legend,[class*=title],[id*=title]").filter(shown))
      .map((el) => spaced(el.textContent).replace(SPACE, " ").trim()).filter(Boolean).slice(0, 8),
    buttons: all(root, CLICKABLE).filter(shown).map((el) => spaced(captionOf(el)).replace(SPACE, " ").trim())
      .filter(Boolean).slice(0, 30),
  });
  const tagOf = (el) => {
    const type = el.tagName === "INPUT" ? ` type=${el.type}` : "";
    const cls = el.className && typeof el.className === "string" ? ` class=${el.className.split(/\s+/)[0]}` : "";
    return `<${el.tagName.toLowerCase()}${type}${cls}>`;
  };
  // How the first match of a selector was found, in words, for `ainas-bot probe`.
  const explain = (root, kind, args) => {
    const how = (el, words) => {
      const frame = frameOf(el.ownerDocument);
      return frame ? `${words}, in frame "${frame}"` : words;
    };
    if (kind === "field") {
      const [first] = fieldsHow(root, args.map(labelKey));
      return first ? how(first[0], `${first[1]}, ${tagOf(first[0])}`) : null;
    }
    const [el] = KINDS[kind](root, args);
    if (!el) return null;
    if (kind === "title") return how(el, `title text of ${tagOf(el)}`);
    if (kind === "button") return how(el, `caption of ${tagOf(el)}`);
    if (kind === "table") {
      const row = el.rows[headerRow(el, args.map(labelKey))];
      return how(el, `header row of <${row.cells[0].tagName.toLowerCase()}> cells`);
    }
    return how(el, `text of ${tagOf(el)}`);
  };
  // Texts of header and key cells, for naming what a screen shows instead of a missing label.
  const cellTexts = (root) => [...new Set(all(root, "th,td,dt,label")
    .filter((el) => !controlIn(el) && !el.querySelector("table") && shown(el)
      && (el.tagName !== "TD" || el.nextElementSibling)).map((el) => spaced(el.textContent).replace(SPACE, " ").trim())
    .filter((t) => t && t.length <= 40))].slice(0, 60);

  // What a form row shows around its control: its label, and the portal's field error beside it.
  const rowText = (el) => (el.closest("tr") || el.parentElement).innerText || "";

  return { query: (root, selector) => queryAll(root, selector)[0] || null, queryAll,
    key, labelKey, core, readTable, readPairs, seen, explain, cellTexts, documents, frameOf, placeholders,
    overlays, overlayText, rowText };
}
