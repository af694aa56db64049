"""Users: /api/v1/users/me for everyone, /api/v1/users for admins."""

from __future__ import annotations

from ...errors import NotFound
from ...links import absolute_url
from ...services import accounts, admin, applications
from ..helpers import perform
from . import schemas as s
from . import serialize
from .blueprint import json_body, ok, operation, paginate, query, require, require_admin


@operation("GET", "/users/me", summary="The calling user", tag="Users", response=s.UserOut)
def me():
    return ok(serialize.user(require()))


@operation("PATCH", "/users/me", summary="Change your name", tag="Users", response=s.UserOut, body=s.MePatch)
def patch_me():
    user = require()
    body = json_body(s.MePatch)
    return ok(serialize.user(perform(lambda: accounts.rename(user, body.name))))


@operation(
    "GET",
    "/users/<id:user_id>/applications",
    summary="Your applications",
    tag="Users",
    response=list[s.ApplicationOut],
    scope="applications:read",
)
def user_applications(user_id: int):
    """Your own only: anyone else's id is 404."""
    user = require("applications:read")
    if user_id != user.id:
        raise NotFound("No such user.")
    return ok([serialize.application(a) for a in applications.candidate_applications(user)])


# --- Admin ----------------------------------------------------------------------------------------


@operation(
    "GET",
    "/users",
    summary="List users (admins)",
    tag="Users",
    response=list[s.UserOut],
    query=s.UsersQuery,
    scope="admin",
    paginated=True,
)
def list_users():
    require_admin()
    args = query(s.UsersQuery)
    items, total = admin.users_page(args.q, args.page, args.limit)
    return ok([serialize.user(u) for u in items], pagination=paginate(args.page, args.limit, total))


@operation(
    "POST",
    "/users",
    summary="Create a user (admins)",
    tag="Users",
    response=s.UserOut,
    body=s.UserCreate,
    status=201,
    scope="admin",
)
def create_user():
    """A candidate account; they are emailed a link to confirm the address."""
    require_admin()
    body = json_body(s.UserCreate)
    user = perform(lambda: accounts.register_user(body.email, body.password, body.name))
    return ok(serialize.user(user), 201, headers={"Location": absolute_url("api.get_user_get", user_id=user.id)})


@operation("GET", "/users/<id:user_id>", summary="Read a user (admins)", tag="Users", response=s.UserOut, scope="admin")
def get_user(user_id: int):
    require_admin()
    return ok(serialize.user(admin.get_user(user_id)))


def _change(user_id: int, changes: dict):
    actor = require_admin()
    target = admin.get_user(user_id)

    def action():
        if changes.get("name") is not None:
            accounts.rename(target, changes["name"])
        if changes.get("active") is not None and changes["active"] != target.active:
            accounts.set_user_active(actor, target.id, changes["active"])
        return target

    return ok(serialize.user(perform(action)))


@operation(
    "PUT",
    "/users/<id:user_id>",
    summary="Replace a user's name and status (admins)",
    tag="Users",
    response=s.UserOut,
    body=s.UserPut,
    scope="admin",
)
def put_user(user_id: int):
    require_admin()
    return _change(user_id, json_body(s.UserPut).model_dump())


@operation(
    "PATCH",
    "/users/<id:user_id>",
    summary="Change a user's name or status (admins)",
    tag="Users",
    response=s.UserOut,
    body=s.UserPatch,
    scope="admin",
)
def patch_user(user_id: int):
    require_admin()
    return _change(user_id, json_body(s.UserPatch).model_dump(exclude_unset=True))


@operation(
    "DELETE",
    "/users/<id:user_id>",
    summary="Deactivate a user (admins)",
    tag="Users",
    response=s.UserOut,
    scope="admin",
)
def delete_user(user_id: int):
    """Accounts are deactivated, never deleted (their applications and audit trail stay)."""
    return _change(user_id, {"active": False})
