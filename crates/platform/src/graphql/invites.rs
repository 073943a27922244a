//! Invitations in the server GraphQL, as `@roq/nodejs@1.0.20` sends them: the output types
//! (`UserInviteModel` and its page, `CreateUserInvitesModel`, `CheckUserInviteTokenModel`), the
//! inputs (`UserInvite…Dto`) and the list arguments (`UserInvite…ArgType`), kept together.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use super::args::{IdFilterArgType, OrderEnum, StringFilterArgType};
use super::models::{RolePageModel, UserModel};
use super::scalars::{Date, JsonObject};
use crate::domain::Page;
use crate::domain::invite::{
    InviteFailure, InviteFilter, InviteQuery, InviteResults, InviteSearchKey, InviteSort,
    InviteStatus, InviteUpdate, NewInvite, NewInvites, UserInvite,
};
use crate::domain::list::{RoleFilter, RoleQuery, StringFilter};
use crate::error::{IntoGraphql, PlatformError, PlatformResult};
use crate::service::{PlatformService, Principal, window};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "UserInviteStatusEnum", rename_items = "lowercase")]
pub enum UserInviteStatusEnum {
    Accepted,
    Canceled,
    Expired,
    Pending,
}

impl From<InviteStatus> for UserInviteStatusEnum {
    fn from(s: InviteStatus) -> Self {
        match s {
            InviteStatus::Accepted => Self::Accepted,
            InviteStatus::Canceled => Self::Canceled,
            InviteStatus::Expired => Self::Expired,
            InviteStatus::Pending => Self::Pending,
        }
    }
}

pub struct UserInviteModel(pub UserInvite);

/// An invitation to join a tenant with roles. Its link is mailed to `email`; `status` is
/// pending until it is accepted, canceled, or expires.
#[Object(name = "UserInviteModel")]
impl UserInviteModel {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn email(&self) -> &str {
        self.0.email.as_str()
    }
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }
    async fn locale(&self) -> Option<&str> {
        self.0.locale.as_deref()
    }
    async fn data(&self) -> Option<JsonObject> {
        self.0.data.clone().map(JsonObject)
    }
    /// The roles the invited user gets.
    async fn role_keys(&self) -> Option<Vec<String>> {
        Some(self.0.role_keys.clone())
    }
    async fn roles(&self, ctx: &Context<'_>) -> Result<RolePageModel> {
        let (service, principal) = super::parts(ctx)?;
        if self.0.role_keys.is_empty() {
            return Ok(Page {
                data: Vec::new(),
                total_count: 0,
            }
            .into());
        }
        let query = RoleQuery {
            filter: RoleFilter {
                key: Some(StringFilter {
                    value_in: Some(self.0.role_keys.clone()),
                    ..StringFilter::default()
                }),
                ..RoleFilter::default()
            },
            ..RoleQuery::default()
        };
        service.roles(principal, query).await.gql().map(Into::into)
    }
    async fn status(&self) -> UserInviteStatusEnum {
        self.0.status.into()
    }
    async fn status_updated_at(&self) -> Option<Date> {
        Some(Date(self.0.status_updated_at))
    }
    async fn tenant_id(&self) -> Option<ID> {
        Some(ID(self.0.tenant_id.to_string()))
    }
    /// The inviting user; null when an administrator invited from the Console.
    async fn created_by_user_id(&self) -> Option<ID> {
        self.0.created_by_user_id.map(|id| ID(id.to_string()))
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<UserModel>> {
        let Some(id) = self.0.created_by_user_id else {
            return Ok(None);
        };
        let (service, principal) = super::parts(ctx)?;
        service
            .user(principal, &id.to_string())
            .await
            .gql()
            .map(|u| Some(UserModel(u)))
    }
    async fn accepted_by_user_id(&self) -> Option<ID> {
        self.0.accepted_by_user_id.map(|id| ID(id.to_string()))
    }
    async fn accepted_by(&self, ctx: &Context<'_>) -> Result<Option<UserModel>> {
        let Some(id) = self.0.accepted_by_user_id else {
            return Ok(None);
        };
        let (service, principal) = super::parts(ctx)?;
        service
            .user(principal, &id.to_string())
            .await
            .gql()
            .map(|u| Some(UserModel(u)))
    }
    /// Names the link that currently works; a resend gives a new one.
    async fn user_token_id(&self) -> ID {
        ID(self.0.user_token_id.clone())
    }
    /// When the current link stops working (Tandem's addition).
    async fn expires_at(&self) -> Date {
        Date(self.0.expires_at)
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at)
    }
    async fn updated_at(&self) -> Option<Date> {
        Some(Date(self.0.updated_at))
    }
}

#[derive(SimpleObject)]
#[graphql(name = "UserInvitePageModel")]
pub struct UserInvitePageModel {
    pub data: Vec<UserInviteModel>,
    pub total_count: i64,
}

impl From<Page<UserInvite>> for UserInvitePageModel {
    fn from(page: Page<UserInvite>) -> Self {
        Self {
            data: page.data.into_iter().map(UserInviteModel).collect(),
            total_count: page.total_count,
        }
    }
}

/// One invitation of a batch that was not sent: `error` is a stable code (e.g.
/// `USER_EMAIL_ALREADY_EXISTS`, `USER_INVITE_PENDING`, `INVALID_EMAIL`), `message` says why.
#[derive(SimpleObject)]
#[graphql(name = "CreateUserInviteErrorModel")]
pub struct CreateUserInviteErrorModel {
    pub email: String,
    pub error: String,
    pub message: String,
    pub first_name: String,
    pub last_name: String,
}

impl From<InviteFailure> for CreateUserInviteErrorModel {
    fn from(f: InviteFailure) -> Self {
        Self {
            email: f.email,
            error: f.code.to_owned(),
            message: f.message,
            first_name: f.first_name.unwrap_or_default(),
            last_name: f.last_name.unwrap_or_default(),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "CreateUserInvitesModel")]
pub struct CreateUserInvitesModel {
    pub success: Option<Vec<UserInviteModel>>,
    pub errors: Option<Vec<CreateUserInviteErrorModel>>,
}

impl From<InviteResults> for CreateUserInvitesModel {
    fn from(r: InviteResults) -> Self {
        Self {
            success: Some(r.sent.into_iter().map(UserInviteModel).collect()),
            errors: Some(r.failed.into_iter().map(Into::into).collect()),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "CheckUserInviteTokenModel")]
pub struct CheckUserInviteTokenModel {
    pub email: Option<String>,
    pub is_expired: Option<bool>,
    /// Whether the link can still be accepted.
    pub is_valid: bool,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserInviteCreateDto")]
pub struct UserInviteCreateDto {
    pub created_by_user_id: ID,
    pub data: Option<JsonObject>,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub roles: Option<Vec<String>>,
    /// Ignored: an invitation always starts pending.
    pub status: Option<UserInviteStatusEnum>,
    pub tenant_id: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserInviteCreateV2Dto")]
pub struct UserInviteCreateV2Dto {
    pub created_by_user_id: ID,
    pub email: String,
    pub first_name: Option<String>,
    /// Kept as the invitation's `data`.
    pub injectable_variables: Option<JsonObject>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub roles: Option<Vec<String>>,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserInvitesCreateDto")]
pub struct UserInvitesCreateDto {
    pub tenant_id: Option<ID>,
    pub user_invites: Vec<UserInviteCreateDto>,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserInvitesCreateV2Dto")]
pub struct UserInvitesCreateV2Dto {
    pub tenant_id: ID,
    pub user_invites: Vec<UserInviteCreateV2Dto>,
}

impl From<UserInvitesCreateDto> for NewInvites {
    fn from(d: UserInvitesCreateDto) -> Self {
        Self {
            tenant_id: d.tenant_id.map(|id| id.0),
            invites: d
                .user_invites
                .into_iter()
                .map(|i| NewInvite {
                    email: i.email,
                    first_name: i.first_name,
                    last_name: i.last_name,
                    locale: i.locale,
                    data: i.data.map(|j| j.0),
                    role_keys: i.roles.unwrap_or_default(),
                    created_by_user_id: i.created_by_user_id.0,
                    tenant_id: i.tenant_id.map(|id| id.0),
                })
                .collect(),
        }
    }
}

impl From<UserInvitesCreateV2Dto> for NewInvites {
    fn from(d: UserInvitesCreateV2Dto) -> Self {
        Self {
            tenant_id: Some(d.tenant_id.0),
            invites: d
                .user_invites
                .into_iter()
                .map(|i| NewInvite {
                    email: i.email,
                    first_name: i.first_name,
                    last_name: i.last_name,
                    locale: i.locale,
                    data: i.injectable_variables.map(|j| j.0),
                    role_keys: i.roles.unwrap_or_default(),
                    created_by_user_id: i.created_by_user_id.0,
                    tenant_id: None,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserInviteUpdateDto")]
pub struct UserInviteUpdateDto {
    /// Refused: it is set when the invitation is accepted.
    pub accepted_by_user_id: Option<ID>,
    pub data: Option<JsonObject>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
}

impl TryFrom<UserInviteUpdateDto> for InviteUpdate {
    type Error = PlatformError;
    fn try_from(d: UserInviteUpdateDto) -> PlatformResult<Self> {
        if d.accepted_by_user_id.is_some() {
            return Err(PlatformError::InvalidInput(
                "acceptedByUserId is set when the invitation is accepted; it cannot be written"
                    .into(),
            ));
        }
        Ok(Self {
            first_name: d.first_name,
            last_name: d.last_name,
            locale: d.locale,
            data: d.data.map(|j| j.0),
        })
    }
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "AcceptUserInviteDto")]
pub struct AcceptUserInviteDto {
    pub token: String,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "AcceptUserInviteV2Dto")]
pub struct AcceptUserInviteV2Dto {
    pub token: String,
}

#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "UserInviteFilterArgType")]
pub struct UserInviteFilterArgType {
    pub accepted_by_user_id: Option<IdFilterArgType>,
    pub created_by_user_id: Option<IdFilterArgType>,
    pub email: Option<StringFilterArgType>,
    pub first_name: Option<StringFilterArgType>,
    pub id: Option<IdFilterArgType>,
    pub last_name: Option<StringFilterArgType>,
    pub locale: Option<StringFilterArgType>,
    pub status: Option<StringFilterArgType>,
    pub tenant_id: Option<IdFilterArgType>,
    pub user_token_id: Option<IdFilterArgType>,
}

/// Invitation and link ids are compared as text.
fn id_as_text(arg: IdFilterArgType) -> StringFilter {
    let many = |ids: Vec<ID>| ids.into_iter().map(|id| id.0).collect();
    StringFilter {
        equal_to: arg.equal_to.map(|id| id.0),
        not_equal_to: arg.not_equal_to.map(|id| id.0),
        value_in: arg.value_in.map(many),
        value_not_in: arg.value_not_in.map(many),
        ..StringFilter::default()
    }
}

impl From<UserInviteFilterArgType> for InviteFilter {
    fn from(a: UserInviteFilterArgType) -> Self {
        Self {
            accepted_by_user_id: a.accepted_by_user_id.map(Into::into),
            created_by_user_id: a.created_by_user_id.map(Into::into),
            email: a.email.map(Into::into),
            first_name: a.first_name.map(Into::into),
            id: a.id.map(id_as_text),
            last_name: a.last_name.map(Into::into),
            locale: a.locale.map(Into::into),
            status: a.status.map(Into::into),
            tenant_id: a.tenant_id.map(Into::into),
            user_token_id: a.user_token_id.map(id_as_text),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "UserInviteOrderSortEnum",
    rename_items = "camelCase",
    remote = "crate::domain::invite::InviteSort"
)]
pub enum UserInviteOrderSortEnum {
    CreatedAt,
    Email,
    FirstName,
    LastName,
    Locale,
    Status,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "UserInviteOrderArgType")]
pub struct UserInviteOrderArgType {
    pub order: OrderEnum,
    pub sort: UserInviteOrderSortEnum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "UserInviteSearchKeyEnum",
    rename_items = "camelCase",
    remote = "crate::domain::invite::InviteSearchKey"
)]
pub enum UserInviteSearchKeyEnum {
    FirstName,
    LastName,
    Locale,
}

#[derive(Debug, Clone, InputObject)]
#[graphql(name = "UserInviteSearchArgType")]
pub struct UserInviteSearchArgType {
    pub key: UserInviteSearchKeyEnum,
    pub value: String,
}

/// The list query of `userInvites(filter, limit, offset, order, search)`.
pub fn invite_query(
    filter: Option<UserInviteFilterArgType>,
    limit: Option<i32>,
    offset: Option<i32>,
    order: Option<UserInviteOrderArgType>,
    search: Option<UserInviteSearchArgType>,
) -> PlatformResult<InviteQuery> {
    Ok(InviteQuery {
        filter: filter.unwrap_or_default().into(),
        tenant_scope: None,
        search: search.map(|s| (InviteSearchKey::from(s.key), s.value)),
        order: order.map(|o| (InviteSort::from(o.sort), o.order.into())),
        window: window(limit, offset)?,
    })
}

/// The request's Host header, for links in mail when no public URL is configured.
#[derive(Debug, Clone, Default)]
pub struct RequestHost(pub Option<String>);

pub(super) fn host<'a>(ctx: &'a Context<'_>) -> Option<&'a str> {
    ctx.data_opt::<RequestHost>().and_then(|h| h.0.as_deref())
}

pub(super) async fn check_token(
    service: &PlatformService,
    principal: &Principal,
    token: &str,
) -> PlatformResult<CheckUserInviteTokenModel> {
    principal.require_service_account("checkUserInviteToken")?;
    Ok(match service.invite_for_link(token).await? {
        None => CheckUserInviteTokenModel {
            email: None,
            is_expired: None,
            is_valid: false,
        },
        Some(view) => CheckUserInviteTokenModel {
            email: Some(view.invite.email.as_str().to_owned()),
            is_expired: Some(view.invite.status == InviteStatus::Expired),
            is_valid: view.invite.status == InviteStatus::Pending,
        },
    })
}
