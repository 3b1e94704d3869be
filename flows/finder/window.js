// One function of the finder's library over every document of the window (a frameset or an iframe is one
// screen to a person): `name` is the function, `args` what it takes after the documents.
({name, args}) => {
  const lib = __LIBRARY__;
  return lib[name](lib.documents(document), ...args);
}
