"""HTTP for surveys: county admins (and township reviewers within their township) define,
publish and read them. Cadres receive and answer surveys through sync only."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from backend.core.context import RequestContext
from backend.core.errors import FieldError, ValidationFailed
from backend.core.export import CSV, XLSX, download
from backend.core.i18n import pick_lang
from backend.core.problems import LocalisedFieldError, localise_field_error
from backend.core.scope import Actor
from backend.surveys import results, services
from backend.surveys.forms import Form
from backend.surveys.schemas import (
    PlanOut,
    PreviewOut,
    ProgressOut,
    SurveyIn,
    SurveyOut,
    SurveyPatch,
)
from backend.surveys.xlsform import example_xlsform

__all__ = ["SurveyController"]



#: The most files attached to one XLSForm.
MAX_ATTACHMENTS = 20


async def _xlsform_upload(request: Request[Any, Any, Any]) -> tuple[bytes, dict[str, bytes]]:
    """The workbook and its attachments (by file name, as the form names them)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body(), {}
    parts = await request.form()
    workbook = parts.get("form")
    if not isinstance(workbook, UploadFile):
        raise ValidationFailed(errors=[FieldError("form", "required")])
    files = [f for f in parts.getall("files") if isinstance(f, UploadFile)]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(errors=[FieldError("files", "xlsform_too_many_attachments",
                                                  {"max": MAX_ATTACHMENTS})])
    attachments = {PurePosixPath((f.filename or "").replace("\\", "/")).name: await f.read()
                   for f in files}
    return await workbook.read(), attachments


class SurveyController(Controller):
    path = "/api/surveys"
    tags = ["surveys 调查"]

    @get("/")
    async def list_surveys(
        self, actor: NamedDependency[Actor],
        survey_state: Annotated[Literal["draft", "published", "closed"] | None,
                                QueryParameter(name="state")] = None,
    ) -> list[SurveyOut]:
        """Surveys the caller manages, or that reach villages they review; newest first."""
        return await services.list_surveys(actor.scope, survey_state)

    @post("/")
    async def create(self, data: JSONBody[SurveyIn], actor: NamedDependency[Actor],
                     ctx: NamedDependency[RequestContext]) -> SurveyOut:
        """A draft: title, target (households of the villages, or the villages), period and
        optionally the form. Villages of one county; a township reviewer's of one township."""
        return await services.create_survey(ctx, actor, data)

    @get("/plan")
    async def plan(
        self, actor: NamedDependency[Actor],
        start: Annotated[dt.date, QueryParameter()],
        end: Annotated[dt.date, QueryParameter()],
    ) -> PlanOut:
        """统筹: every survey planned in [start, end] for each village in scope; ``repeated``
        when households there would be asked again within the county's window."""
        return await results.plan(actor.scope, start, end)

    @get("/xlsform-template", media_type=XLSX)
    async def template(self, actor: NamedDependency[Actor]) -> Response[bytes]:
        """An example XLSForm using every supported type, to start from."""
        return download(example_xlsform(), "zhucun-xlsform-template.xlsx")

    @get("/{survey_id:uuid}")
    async def read(self, survey_id: FromPath[uuid.UUID],
                   actor: NamedDependency[Actor]) -> SurveyOut:
        return await services.read_survey(actor.scope, survey_id)

    @patch("/{survey_id:uuid}")
    async def update(self, survey_id: FromPath[uuid.UUID], data: JSONBody[SurveyPatch],
                     actor: NamedDependency[Actor],
                     ctx: NamedDependency[RequestContext]) -> SurveyOut:
        """Change title, description, target, villages or period; drafts only."""
        return await services.update_survey(ctx, actor, survey_id, data)

    @put("/{survey_id:uuid}/form", status_code=HTTP_200_OK)
    async def set_form(self, survey_id: FromPath[uuid.UUID], data: JSONBody[Form],
                       actor: NamedDependency[Actor],
                       ctx: NamedDependency[RequestContext]) -> SurveyOut:
        """Replace the working form (published versions never change)."""
        return await services.set_form(ctx, actor, survey_id, data)

    @get("/{survey_id:uuid}/xlsform", media_type=XLSX)
    async def get_xlsform(self, survey_id: FromPath[uuid.UUID],
                          actor: NamedDependency[Actor]) -> Response[bytes]:
        """The working form as an XLSForm ``.xlsx``; importing it again gives the same form."""
        xlsform = await services.xlsform_of(actor.scope, survey_id)
        return download(xlsform, f"survey-{survey_id}.xlsx")

    @put("/{survey_id:uuid}/xlsform", status_code=HTTP_200_OK)
    async def set_xlsform(self, survey_id: FromPath[uuid.UUID], actor: NamedDependency[Actor],
                          ctx: NamedDependency[RequestContext],
                          request: Request[Any, Any, Any]) -> SurveyOut:
        """Replace the working form from an XLSForm ``.xlsx``: the raw body, or
        ``multipart/form-data`` with the workbook as ``form`` and its attachments (the CSV
        of a ``select_one_from_file``) as ``files``. Anything unsupported, or an attachment
        missing: 422 listing every problem with ``sheet``, ``row`` and column (``field``),
        and nothing imported. What is accepted but ignored (an appearance the phone does not
        draw, metadata a web app cannot read) comes back in ``warnings``."""
        data, attachments = await _xlsform_upload(request)
        survey, warnings = await services.set_xlsform(ctx, actor, survey_id, data,
                                                      attachments)
        lang = pick_lang(request.headers.get("accept-language"))
        return survey.model_copy(update={
            "warnings": [LocalisedFieldError(**localise_field_error(w, lang))
                         for w in warnings]})

    @get("/{survey_id:uuid}/preview")
    async def preview(self, survey_id: FromPath[uuid.UUID], actor: NamedDependency[Actor],
                      request: Request[Any, Any, Any]) -> PreviewOut:
        """Before publishing: questions whose household facts are already known (how many,
        how fresh), other surveys asking the same households within the window, problems."""
        lang = pick_lang(request.headers.get("accept-language"))
        return await results.preview(actor.scope, survey_id, lang)

    @post("/{survey_id:uuid}/publish", status_code=HTTP_200_OK)
    async def publish(self, survey_id: FromPath[uuid.UUID], actor: NamedDependency[Actor],
                      ctx: NamedDependency[RequestContext]) -> SurveyOut:
        """Freeze the working form as a new version (if changed) and send it out."""
        return await services.publish_survey(ctx, actor, survey_id)

    @post("/{survey_id:uuid}/close", status_code=HTTP_200_OK)
    async def close(self, survey_id: FromPath[uuid.UUID], actor: NamedDependency[Actor],
                    ctx: NamedDependency[RequestContext]) -> SurveyOut:
        """Stop taking responses."""
        return await services.close_survey(ctx, actor, survey_id)

    @get("/{survey_id:uuid}/progress")
    async def progress(self, survey_id: FromPath[uuid.UUID],
                       actor: NamedDependency[Actor]) -> ProgressOut:
        """Households done / targeted per village, by village code."""
        return await results.progress(actor.scope, survey_id)

    @get("/{survey_id:uuid}/responses.xlsx", media_type=XLSX)
    async def responses_xlsx(self, survey_id: FromPath[uuid.UUID],
                             actor: NamedDependency[Actor]) -> Response[bytes]:
        """The answers, one row a household, Chinese headers."""
        answers = await results.export_xlsx(actor.scope, survey_id)
        return download(answers, f"survey-{survey_id}.xlsx")

    @get("/{survey_id:uuid}/responses.csv", media_type=CSV)
    async def responses_csv(self, survey_id: FromPath[uuid.UUID],
                            actor: NamedDependency[Actor]) -> Response[bytes]:
        answers = await results.export_csv(actor.scope, survey_id)
        return download(answers, f"survey-{survey_id}.csv", CSV)

    @get("/{survey_id:uuid}/responses.zip", media_type="application/zip")
    async def responses_zip(self, survey_id: FromPath[uuid.UUID],
                            actor: NamedDependency[Actor]) -> Response[bytes]:
        """The answers as CSVs in a zip: 答卷.csv, and a CSV per roster joined by the response
        id (答卷编号) and the key of the row it belongs to (上级编号), as ODK Central gives."""
        return download(await results.export_csv_zip(actor.scope, survey_id),
                        f"survey-{survey_id}-csv.zip", "application/zip")

    @get("/{survey_id:uuid}/responses.geojson", media_type="application/geo+json")
    async def responses_geojson(self, survey_id: FromPath[uuid.UUID],
                                actor: NamedDependency[Actor]) -> Response[bytes]:
        """Every place answered (WGS-84): a geopoint as a Point, a geotrace as a LineString,
        a geoshape as a Polygon; a roster's places too, with their entry's key."""
        return download(await results.export_geojson(actor.scope, survey_id),
                        f"survey-{survey_id}.geojson", "application/geo+json")
