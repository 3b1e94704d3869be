// One function of the finder's library on one element: `name` is the function, `args` what it takes after it.
(el, {name, args}) => {
  const lib = __LIBRARY__;
  return lib[name](el, ...args);
}
