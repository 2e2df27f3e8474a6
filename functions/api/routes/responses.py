"""What a route answers when it has made something: 201 with the new thing as JSON."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel


def created[T: BaseModel](body: T) -> Response[T]:
    return Response(
        status_code=HTTPStatus.CREATED, content_type=content_types.APPLICATION_JSON, body=body.model_dump()
    )
