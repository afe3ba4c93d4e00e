"""alimail-mcp: an MCP server and CLI for Alibaba Mail (阿里邮箱) administration."""

__version__ = "0.1.0"
