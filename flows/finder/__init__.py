"""How things are found on screen: the one finder every page object uses (`locate`, with its in-page half
`finder.js`), the one text normaliser (`text`), and the settled tab the finder reads (`tab`)."""
