"""check_webmail: does mail.<domain> lead to Alibaba Mail's webmail? The CNAME chain through the
project's resolver, then http:// and https:// fetched at the address found. check.py is the entry
point; models.py the result."""
