// The settling's screen without a reader: the window's documents are watched, nothing is awaited or read.
(() => {
  const lib = __LIBRARY__;
  return {
    docs: () => lib.documents(document),
    waiting: () => lib.placeholders(lib.documents(document)).length > 0,
    read: () => null,
    shows: () => true,
  };
})()
