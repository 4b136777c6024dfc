"""Errors that reach the user. Each carries the process exit code the CLI should use.

Exit codes: 0 done; 1 task not completed; 2 usage or configuration error; 3 model endpoint
unreachable or failing.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_DONE = 1
EXIT_USAGE = 2
EXIT_ENDPOINT = 3


class SmallCodeError(Exception):
    """Base error: ``str(err)`` is one clear line for the user."""

    exit_code = EXIT_NOT_DONE


class ConfigError(SmallCodeError):
    exit_code = EXIT_USAGE


class EndpointError(SmallCodeError):
    """The model endpoint is unreachable or keeps failing (after retries)."""

    exit_code = EXIT_ENDPOINT


class TransientError(EndpointError):
    """A failure worth retrying: HTTP 5xx, connection refused/reset, a stream cut short.

    ``retry_after``: the seconds the server asked to wait (HTTP Retry-After), when it did.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ModelRequestError(SmallCodeError):
    """The endpoint refused a request (4xx): wrong model name, bad key, unsupported feature."""

    exit_code = EXIT_ENDPOINT

    def __init__(
        self, message: str, status: int = 0, body: str = "", *, truncated: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        # The server cut the prompt to fit (as in Finish.truncated): compacting may fix it.
        self.truncated = truncated


class ToolError(Exception):
    """Raised by a tool to return an error result to the model (the loop goes on)."""


class PathEscapeError(ToolError):
    """A path resolves outside the project root."""
