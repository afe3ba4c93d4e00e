"""Mail as the standards define it, read once for every package that looks at mail.

The lower layer of `diagnosis/` (bounces) and `headers/` (pasted header blocks): plain Python over
the standard `email` package, with nothing about bounces, the MCP protocol or the knowledge base.
One module per standard:

- `header_block`: RFC 5322 header blocks in text form (fields, folding, comments)
- `encoded_words`: RFC 2047 encoded words in header values
- `addresses`: RFC 5322 addresses found in free text
- `dates`: RFC 5322 date-time values
- `received`: RFC 5321 Received trace fields
- `delivery_status`: RFC 3464 delivery-status field names
- `mbox`: RFC 4155 mbox files split into messages
- `mime`: RFC 2045/2046 messages parsed and walked into their parts, attachments pulled out

Import the modules themselves: this package imports nothing, so using one standard does not load
the others (the MIME parser in particular).
"""
