"""Everything checked before the first click: identity, validity, カナ ↔ 漢字, 郵便番号 ↔ 住所, days left.
`prepare` gathers them into one prepared office, or the problems that stop it."""
