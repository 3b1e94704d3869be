/* The sandbox's `--markup js-library`: what a JavaScript library of the 2010s does to the built-ins of
   every page it is loaded in, modelled on prototype.js 1.6/1.7 (as common on Japanese enterprise portals
   of the time as jQuery). Only its effects on the built-ins are reproduced, not the library. [assumed] */
(function () {
  var slice = Array.prototype.slice;
  // prototype.js's $A, installed as Array.from: no map function; a Set, a Map or an iterator (no
  // `length`) gives an empty array.
  function $A(iterable) {
    if (!iterable) return [];
    if ("toArray" in Object(iterable)) return iterable.toArray();
    var length = iterable.length || 0, results = new Array(length);
    while (length--) results[length] = iterable[length];
    return results;
  }
  window.$A = $A;
  Array.from = $A;
  // Enumerable's methods on every array, and Array#toJSON of 1.6, which makes JSON.stringify of an
  // object holding an array write the array as a string.
  var enumerable = {
    each: function (iterator, context) { for (var i = 0; i < this.length; i++) iterator.call(context, this[i], i); return this; },
    collect: function (iterator, context) { var r = []; this.each(function (v, i) { r.push(iterator.call(context, v, i)); }); return r; },
    findAll: function (iterator, context) { var r = []; this.each(function (v, i) { if (iterator.call(context, v, i)) r.push(v); }); return r; },
    pluck: function (property) { return this.collect(function (v) { return v[property]; }); },
    toArray: function () { return slice.call(this, 0); },
    toJSON: function () { return "[" + this.collect(function (v) { return JSON.stringify(v); }).join(", ") + "]"; }
  };
  for (var name in enumerable) {
    Object.defineProperty(Array.prototype, name, {value: enumerable[name], writable: true, configurable: true});
  }
  // String#toArray makes $A of a string its characters; strip and blank as the library has them.
  String.prototype.toArray = function () { return this.split(""); };
  String.prototype.strip = function () { return this.replace(/^\s+/, "").replace(/\s+$/, ""); };
  String.prototype.blank = function () { return /^\s*$/.test(this); };
  // Element.Methods on every element: show and hide, as the library's effects use them.
  HTMLElement.prototype.show = function () { this.style.display = ""; return this; };
  HTMLElement.prototype.hide = function () { this.style.display = "none"; return this; };
})();
