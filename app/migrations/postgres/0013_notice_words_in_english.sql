-- Notices in both languages (#17): a notice is written when something happens, for a
-- recipient whose language is not known then, so its words are kept in Chinese (`body`, also
-- what a message says) and in English (`body_en`). Notices written before have no English
-- words: the inbox shows their Chinese.
ALTER TABLE notices ADD COLUMN body_en TEXT NOT NULL DEFAULT '';
