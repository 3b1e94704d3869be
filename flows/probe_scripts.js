// What the screen's own scripts are (the file names of its script elements, or (inline)), and which built-ins
// of the page's world they replaced: the bot reads each settled screen in that world (flows/finder/tab.py),
// so a portal library that changes them (prototype.js makes `Array.from` its `$A`) is worth knowing at first
// contact. Written with plain loops: the page may have replaced the array methods too.
() => {
  const native = (f) => typeof f === "function"
    && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(f));
  const builtins = [["Array.from", Array.from], ["Array.prototype.map", Array.prototype.map],
    ["Array.prototype.filter", Array.prototype.filter], ["Array.prototype.some", Array.prototype.some],
    ["Array.prototype.every", Array.prototype.every], ["Array.prototype.find", Array.prototype.find],
    ["Array.prototype.findIndex", Array.prototype.findIndex], ["Array.prototype.forEach", Array.prototype.forEach],
    ["Array.prototype.includes", Array.prototype.includes], ["String.prototype.normalize", String.prototype.normalize],
    ["String.prototype.trim", String.prototype.trim], ["String.prototype.replace", String.prototype.replace],
    ["JSON.stringify", JSON.stringify], ["Document.prototype.querySelectorAll", Document.prototype.querySelectorAll],
    ["MutationObserver", window.MutationObserver],
    // The bot's own count of the page's timers (flows/finder/tab.py) is not the portal's doing.
    ["setTimeout", window.__ainasWork && window.setTimeout === window.__ainasWork.wrapped
      ? window.__ainasWork.native : window.setTimeout]];
  const replaced = [];
  for (let i = 0; i < builtins.length; i++) if (!native(builtins[i][1])) replaced.push(builtins[i][0]);
  if (Object.prototype.hasOwnProperty.call(Array.prototype, "toJSON")) replaced.push("Array.prototype.toJSON");
  const scripts = [];
  for (let i = 0; i < document.scripts.length; i++) {
    const src = document.scripts[i].getAttribute("src");
    // The portal writes these; no control character of theirs reaches the operator's terminal.
    const name = (src ? src.split(/[?#;]/)[0].split("/").pop() || src : "(inline)")
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, 80);
    if (scripts.indexOf(name) < 0) scripts.push(name);
  }
  return {scripts, replaced};
}
