"""route_query: a question in English or Chinese -> the intent and path of the knowledge base.

`route` ranks the paths (`route.route`, `route.route_async`), `text` folds and tokenises English
and Chinese text the same way for the question and for skills/, `models` is the result.
"""
