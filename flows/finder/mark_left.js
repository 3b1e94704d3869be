// Marks every document of the window as one the bot is leaving (`left`), or takes the mark away.
({left, mark}) => {
  const lib = __LIBRARY__;
  for (const doc of lib.documents(document)) doc[mark] = left;
}
