"""The JSON API under /api/: short endpoint functions; what they answer is decided in
`reads` and `writes`, who may ask in `auth`. Schema at /api/openapi.json, docs at
/api/docs."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, NinjaAPI, Query, Status
from ninja.files import UploadedFile
from ninja.openapi.docs import Swagger

from fanarchive.api import errors, reads, writes
from fanarchive.api.auth import Writer, identify_reader
from fanarchive.api.errors import ErrorOut
from fanarchive.api.schemas import (
    ChapterIndex,
    ChapterOut,
    FandomList,
    ImportOut,
    Outcome,
    TagDetail,
    TagListPage,
    TagTypeName,
    WorkDetail,
    WorkIn,
    WorkPage,
)
from fanarchive.api.throttle import SettingRateThrottle
from fanarchive.search.service import SEARCH_SORTS
from fanarchive.tags.constants import RATINGS

DESCRIPTION = """\
Read the archive's works, chapters, tags and fandoms; import and create works.

Reads are public for public works. With `Authorization: Bearer TOKEN` (tokens come from
`fanarchive api-token create`) or a logged-in session, you see what that account sees on
the site. Drafts, hidden works and (without an account) restricted works answer 404,
exactly like works that do not exist.

Adult works (not rated General or Teen): their metadata is listed; their chapter text,
notes and search snippets only with consent, given per request with `view_adult=true`.

Every error is `{"error": {"code": "...", "message": "..."}}`.
"""


api = NinjaAPI(
    title="fanarchive API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(),
    throttle=[SettingRateThrottle()],
)
errors.install(api)

# What every read may answer besides its result.
READ_ERRORS = {code: ErrorOut for code in (401, 404, 422, 429)}
WRITE_ERRORS = {code: ErrorOut for code in (401, 403, 413, 422, 429)}
MAX_PER_PAGE = reads.MAX_PER_PAGE
PageNumber = Query(1, ge=1, le=1_000_000)
PerPage = Query(20, ge=1, le=MAX_PER_PAGE)
# A bearer token on a read is optional: without one the reader is anonymous (or the
# session's account).
OPTIONAL_TOKEN = {"security": [{"Writer": []}, {}]}
# Repeatable parameters, as the site's forms send them (`tag=A&tag=B`).
TAG_PARAM = Query(None, description="Tags a work must have: Name or type:Name")
EXCLUDE_PARAM = Query(None, description="Tags a work must not have")
RATING_PARAM = Query(None, description="Works with any of these ratings")
TAG_TYPE_PARAM = Query(None, description="Tags of this type only")


@api.get(
    "/works",
    response={200: WorkPage, **READ_ERRORS},
    url_name="works",
    tags=["works"],
    openapi_extra=OPTIONAL_TOKEN,
)
def list_works(
    request: HttpRequest,
    q: str = Query("", description="Words in the search language: title:, author:, tag:..."),
    tag: list[str] = TAG_PARAM,
    exclude: list[str] = EXCLUDE_PARAM,
    rating: list[Literal[*RATINGS]] = RATING_PARAM,  # type: ignore[valid-type]
    sort: Literal[*SEARCH_SORTS] | None = Query(None),  # type: ignore[valid-type]
    complete: Literal["complete", "wip"] | None = Query(None),
    crossover: Literal["include", "exclude", "only"] | None = Query(None),
    suggested: Literal["0", "1"] | None = Query(None, description="1: tags match suggestions"),
    single_chapter: Literal["0", "1"] | None = Query(None),
    language: str | None = Query(None),
    words_from: str | None = Query(None),
    words_to: str | None = Query(None),
    hits_from: str | None = Query(None),
    hits_to: str | None = Query(None),
    kudos_from: str | None = Query(None),
    kudos_to: str | None = Query(None),
    comments_from: str | None = Query(None),
    comments_to: str | None = Query(None),
    bookmarks_from: str | None = Query(None),
    bookmarks_to: str | None = Query(None),
    posted_from: str | None = Query(None, description="YYYY-MM-DD"),
    posted_to: str | None = Query(None),
    updated_from: str | None = Query(None),
    updated_to: str | None = Query(None),
    view_adult: Literal["true"] | None = Query(None, description="true: show adult snippets"),
    page: int = PageNumber,
    per_page: int = PerPage,
) -> dict[str, Any]:
    """Works you may see, filtered, searched and sorted as on the site's search page
    (the parameters are the site's); each with a snippet where its text matched."""
    identify_reader(request)
    # The filters are read from the query string itself, by the site's own parser.
    return reads.list_works(request, page, per_page)


@api.get(
    "/works/{work_id}",
    response={200: WorkDetail, **READ_ERRORS},
    url_name="work",
    tags=["works"],
    openapi_extra=OPTIONAL_TOKEN,
)
def work_detail(
    request: HttpRequest,
    work_id: int,
    view_adult: Literal["true"] | None = Query(None),
) -> dict[str, Any]:
    identify_reader(request)
    return reads.work_detail(request, work_id)


@api.get(
    "/works/{work_id}/chapters",
    response={200: ChapterIndex, **READ_ERRORS},
    url_name="chapters",
    tags=["works"],
    openapi_extra=OPTIONAL_TOKEN,
)
def chapter_index(
    request: HttpRequest,
    work_id: int,
    view_adult: Literal["true"] | None = Query(None),
) -> dict[str, Any]:
    identify_reader(request)
    return reads.chapter_index(request, work_id)


@api.get(
    "/works/{work_id}/chapters/{position}",
    response={200: ChapterOut, 403: ErrorOut, **READ_ERRORS},
    url_name="chapter",
    tags=["works"],
    openapi_extra=OPTIONAL_TOKEN,
)
def chapter(
    request: HttpRequest,
    work_id: int,
    position: int,
    view_adult: Literal["true"] | None = Query(None, description="true: agree to adult text"),
) -> dict[str, Any]:
    """A chapter's text. An adult work's answers 403 `adult_consent_required` until
    asked with view_adult=true."""
    identify_reader(request)
    return reads.chapter(request, work_id, position)


@api.get(
    "/tags",
    response={200: TagListPage, **READ_ERRORS},
    url_name="tags",
    tags=["tags"],
    openapi_extra=OPTIONAL_TOKEN,
)
def list_tags(
    request: HttpRequest,
    type: TagTypeName | None = TAG_TYPE_PARAM,
    prefix: str = Query("", max_length=200, description="Names starting so, any case"),
    canonical: bool | None = Query(None),
    page: int = PageNumber,
    per_page: int = PerPage,
) -> dict[str, Any]:
    identify_reader(request)
    return reads.list_tags(request, page, per_page, type, prefix, canonical)


@api.get(
    "/tags/{tag_id}",
    response={200: TagDetail, **READ_ERRORS},
    url_name="tag",
    tags=["tags"],
    openapi_extra=OPTIONAL_TOKEN,
)
def tag_detail(request: HttpRequest, tag_id: int) -> dict[str, Any]:
    """A tag with its wrangling links: the canonical tag it is a synonym of, its
    synonyms, meta and sub tags, parents and children."""
    identify_reader(request)
    return reads.tag_detail(request, tag_id)


@api.get(
    "/fandoms",
    response={200: FandomList, **READ_ERRORS},
    url_name="fandoms",
    tags=["tags"],
    openapi_extra=OPTIONAL_TOKEN,
)
def fandoms(request: HttpRequest) -> dict[str, Any]:
    """Every fandom with works you may see, and how many, as the fandoms page counts."""
    identify_reader(request)
    return reads.fandoms(request)


# The form holds the file and nothing else (merged into the schema ninja makes).
UPLOAD_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {"additionalProperties": False, "properties": {"file": {"minLength": 1}}}
        }
    }
}


@api.post(
    "/imports",
    response={200: ImportOut, **WRITE_ERRORS},
    auth=Writer(),
    url_name="imports",
    tags=["writing"],
    openapi_extra={"requestBody": UPLOAD_BODY},
)
def import_file(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Import a story file (any format `fanarchive import` reads) or a zip archive of
    them: one outcome per work, as `fanarchive import --json` prints them."""
    outcomes = writes.import_upload(file, request.user.get_username())
    return {"results": [outcome.as_dict() for outcome in outcomes]}


@api.post(
    "/works",
    response={201: Outcome, 200: Outcome, **WRITE_ERRORS},
    auth=Writer(),
    url_name="create_work",
    tags=["writing"],
)
def create_work(request: HttpRequest, payload: WorkIn) -> Status:
    """Create a work. Answers 201 with the stored work, or 200 when it was not stored
    anew (`unchanged`, `duplicate`) or failed."""
    outcome = writes.create_work(payload, request.user.get_username())
    return Status(201 if outcome.status == "imported" else 200, outcome.as_dict())
