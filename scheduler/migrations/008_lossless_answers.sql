-- Any text a server sends is stored. PostgreSQL text refuses U+0000 and the surrogates (a lone
-- one arrives as JSON's "\ud800" escape), so an answer holding one is stored escaped (a backslash
-- doubled, a refused code point as \uXXXX) and this column says so; reading it back through
-- scheduler/db/text.py gives exactly the text that was sent. Every stored answer so far is plain.
ALTER TABLE generations ADD COLUMN text_encoding text NOT NULL DEFAULT 'plain'
    CHECK (text_encoding IN ('plain', 'escaped'));
