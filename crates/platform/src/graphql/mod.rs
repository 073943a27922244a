//! The server GraphQL schema served at `/v01/server/graphql`: ROQ's type, field, argument and
//! enum names for users, tenants and roles, so `@roq/nodejs`'s documents run unchanged.
//!
//! GraphQL types stay in this module: its resolvers convert them into domain types
//! ([`crate::domain`]) before calling the service, and the service's results back. The Rust
//! names of GraphQL types are ROQ's type names, whose suffix says what they are: `…Model`
//! output types in `models`, `…Dto` mutation inputs in `dtos`, `…ArgType` list arguments (and
//! their `…Enum`s) in `args`; `scalars` holds `Date` and `JsonObject`, `loaders` the
//! per-request batch loaders. Two areas keep all their types in one module each: `auth` (the
//! end-user auth settings and signing keys) and `invites` (invitations).

pub mod args;
pub mod auth;
pub mod dtos;
pub mod invites;
pub mod loaders;
pub mod models;
pub mod scalars;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_graphql::{Context, EmptySubscription, ID, Object, Result, Schema};

use crate::error::{IntoGraphql, PlatformError};
use crate::service::{PlatformService, Principal};
use args::{
    PermissionFilterArgType, PermissionOrderArgType, PermissionSearchArgType, RoleFilterArgType,
    RoleOrderArgType, RoleSearchArgType, TenantFilterArgType, TenantOrderArgType,
    UserFilterArgType, UserOrderArgType, UserSearchArgType,
};
use dtos::{
    ChangeUserPasswordDto, ProjectPermissionsDto, RoleCreateDto, TenantCreateDto, TenantUpdateDto,
    UserCreateDto, UserUpdateDto,
};
use models::{
    PermissionPageModel, RoleModel, RolePageModel, TenantModel, TenantPageModel, UserModel,
    UserPageModel,
};

pub type PlatformSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// How many passwords one request may hash or verify. Each costs tens of milliseconds of a
/// core (argon2id); without a cap, one request of aliased `verifyPassword` fields could keep
/// the server busy for a minute.
pub const MAX_PASSWORD_OPERATIONS: u32 = 5;

/// The password operations a request has used so far; attached to every request.
#[derive(Debug, Default)]
pub struct PasswordBudget(AtomicU32);

/// Takes one password operation from the request's budget, or refuses.
fn spend_password_operation(ctx: &Context<'_>) -> Result<()> {
    let used = ctx
        .data::<PasswordBudget>()?
        .0
        .fetch_add(1, Ordering::Relaxed);
    if used >= MAX_PASSWORD_OPERATIONS {
        return Err(PlatformError::TooManyPasswordOperations(
            MAX_PASSWORD_OPERATIONS,
        ))
        .gql();
    }
    Ok(())
}

/// Depth and complexity limits keep one request from fanning out without bound.
pub fn build_schema(service: Arc<PlatformService>) -> PlatformSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(service)
        .limit_depth(12)
        .limit_complexity(5_000)
        .finish()
}

fn parts<'a>(ctx: &'a Context<'_>) -> Result<(&'a Arc<PlatformService>, &'a Principal)> {
    Ok((
        ctx.data::<Arc<PlatformService>>()?,
        ctx.data::<Principal>()?,
    ))
}

pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// How end users sign up and log in (service account only).
    async fn auth_settings(&self, ctx: &Context<'_>) -> Result<auth::AuthSettingsModel> {
        let (service, principal) = parts(ctx)?;
        principal.require_service_account("authSettings").gql()?;
        service.auth_settings().await.gql().map(Into::into)
    }

    /// The published token-signing keys, newest first (service account only).
    async fn signing_keys(&self, ctx: &Context<'_>) -> Result<Vec<auth::SigningKeyModel>> {
        let (service, principal) = parts(ctx)?;
        service
            .signing_keys(principal)
            .await
            .gql()
            .map(|keys| keys.into_iter().map(Into::into).collect())
    }

    /// One user by id (the SDK's `userProfile`).
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<UserModel> {
        let (service, principal) = parts(ctx)?;
        service.user(principal, &id).await.gql().map(UserModel)
    }

    /// Users, newest last by default. Deactivated users are left out unless the filter sets
    /// `withDeactivated: {equalTo: true}` or asks for `active: {equalTo: false}`.
    async fn users(
        &self,
        ctx: &Context<'_>,
        filter: Option<UserFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<UserOrderArgType>,
        search: Option<UserSearchArgType>,
    ) -> Result<UserPageModel> {
        let (service, principal) = parts(ctx)?;
        let query = args::user_query(filter, limit, offset, order, search).gql()?;
        service.users(principal, query).await.gql().map(Into::into)
    }

    async fn tenant(&self, ctx: &Context<'_>, id: ID) -> Result<TenantModel> {
        let (service, principal) = parts(ctx)?;
        service.tenant(principal, &id).await.gql().map(TenantModel)
    }

    async fn tenants(
        &self,
        ctx: &Context<'_>,
        filter: Option<TenantFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<TenantOrderArgType>,
    ) -> Result<TenantPageModel> {
        let (service, principal) = parts(ctx)?;
        let query = args::tenant_query(filter, limit, offset, order).gql()?;
        service
            .tenants(principal, query)
            .await
            .gql()
            .map(Into::into)
    }

    /// One invitation by id.
    async fn user_invite(&self, ctx: &Context<'_>, id: ID) -> Result<invites::UserInviteModel> {
        let (service, principal) = parts(ctx)?;
        service
            .invite(principal, &id)
            .await
            .gql()
            .map(invites::UserInviteModel)
    }

    /// Invitations, oldest first by default; a user token sees its tenant's only.
    async fn user_invites(
        &self,
        ctx: &Context<'_>,
        filter: Option<invites::UserInviteFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<invites::UserInviteOrderArgType>,
        search: Option<invites::UserInviteSearchArgType>,
    ) -> Result<invites::UserInvitePageModel> {
        let (service, principal) = parts(ctx)?;
        let query = invites::invite_query(filter, limit, offset, order, search).gql()?;
        service
            .invites(principal, query)
            .await
            .gql()
            .map(Into::into)
    }

    /// Whether an invitation link's token can still be accepted (service account only).
    async fn check_user_invite_token(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> Result<invites::CheckUserInviteTokenModel> {
        let (service, principal) = parts(ctx)?;
        invites::check_token(service, principal, &token).await.gql()
    }

    async fn role(&self, ctx: &Context<'_>, id: ID) -> Result<RoleModel> {
        let (service, _) = parts(ctx)?;
        service.role(&id).await.gql().map(RoleModel)
    }

    /// The roles' permissions.
    async fn permissions(
        &self,
        ctx: &Context<'_>,
        filter: Option<PermissionFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<PermissionOrderArgType>,
        search: Option<PermissionSearchArgType>,
    ) -> Result<PermissionPageModel> {
        let (service, _) = parts(ctx)?;
        let query = args::permission_query(filter, limit, offset, order, search).gql()?;
        service.permissions(query).await.gql().map(Into::into)
    }

    async fn roles(
        &self,
        ctx: &Context<'_>,
        filter: Option<RoleFilterArgType>,
        limit: Option<i32>,
        offset: Option<i32>,
        order: Option<RoleOrderArgType>,
        search: Option<RoleSearchArgType>,
    ) -> Result<RolePageModel> {
        let (service, principal) = parts(ctx)?;
        let query = args::role_query(filter, limit, offset, order, search).gql()?;
        service.roles(principal, query).await.gql().map(Into::into)
    }
}

pub struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Creates a user (and assigns `roles` by key). Without `tenantId` the user joins the
    /// default tenant. Emails are unique per environment, compared case-insensitively.
    async fn create_user(&self, ctx: &Context<'_>, user: UserCreateDto) -> Result<UserModel> {
        let (service, principal) = parts(ctx)?;
        if user.password.is_some() {
            spend_password_operation(ctx)?;
        }
        service
            .create_user(principal, user.into())
            .await
            .gql()
            .map(UserModel)
    }

    /// Updates a user. There is no way to delete a user: `active: false` deactivates it (it can
    /// no longer sign in or get tokens), `active: true` reactivates it.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        user: UserUpdateDto,
    ) -> Result<UserModel> {
        let (service, principal) = parts(ctx)?;
        service
            .update_user(principal, &id, user.into())
            .await
            .gql()
            .map(UserModel)
    }

    async fn assign_roles_to_user(
        &self,
        ctx: &Context<'_>,
        role_keys: Vec<String>,
        user_id: ID,
    ) -> Result<bool> {
        let (service, principal) = parts(ctx)?;
        service
            .assign_roles(principal, &user_id, &role_keys)
            .await
            .gql()
    }

    async fn unassign_roles_from_user(
        &self,
        ctx: &Context<'_>,
        role_keys: Vec<String>,
        user_id: ID,
    ) -> Result<bool> {
        let (service, principal) = parts(ctx)?;
        service
            .unassign_roles(principal, &user_id, &role_keys)
            .await
            .gql()
    }

    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        tenant: TenantCreateDto,
    ) -> Result<TenantModel> {
        let (service, principal) = parts(ctx)?;
        service
            .create_tenant(principal, tenant.into())
            .await
            .gql()
            .map(TenantModel)
    }

    async fn update_tenant(
        &self,
        ctx: &Context<'_>,
        id: ID,
        tenant: TenantUpdateDto,
    ) -> Result<TenantModel> {
        let (service, principal) = parts(ctx)?;
        service
            .update_tenant(principal, &id, tenant.into())
            .await
            .gql()
            .map(TenantModel)
    }

    /// Invites people by email into one tenant (ROQ's v2). Each invitation succeeds or fails on
    /// its own: failures come back in `errors` with a stable code. The link is mailed (SMTP, or
    /// the dev mailbox) and works once, for the environment's `inviteLifetime`.
    async fn send_user_invites_v2(
        &self,
        ctx: &Context<'_>,
        data: invites::UserInvitesCreateV2Dto,
    ) -> Result<invites::CreateUserInvitesModel> {
        let (service, principal) = parts(ctx)?;
        service
            .send_invites(principal, data.into(), invites::host(ctx))
            .await
            .gql()
            .map(Into::into)
    }

    /// Invites people by email (ROQ's v1: each invitation may name its tenant).
    async fn send_user_invites(
        &self,
        ctx: &Context<'_>,
        user_invites: invites::UserInvitesCreateDto,
    ) -> Result<invites::CreateUserInvitesModel> {
        let (service, principal) = parts(ctx)?;
        service
            .send_invites(principal, user_invites.into(), invites::host(ctx))
            .await
            .gql()
            .map(Into::into)
    }

    /// Mails a pending or expired invitation again with a new link; the old link stops working.
    async fn resend_user_invite(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<invites::UserInviteModel> {
        let (service, principal) = parts(ctx)?;
        service
            .resend_invite(principal, &id, invites::host(ctx))
            .await
            .gql()
            .map(invites::UserInviteModel)
    }

    /// Cancels a pending invitation: its link then shows "canceled".
    async fn cancel_user_invite(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<invites::UserInviteModel> {
        let (service, principal) = parts(ctx)?;
        service
            .cancel_invite(principal, &id)
            .await
            .gql()
            .map(invites::UserInviteModel)
    }

    /// Changes the names, locale or data an open invitation carries to its user.
    async fn update_user_invite(
        &self,
        ctx: &Context<'_>,
        id: ID,
        user_invite: invites::UserInviteUpdateDto,
    ) -> Result<invites::UserInviteModel> {
        let (service, principal) = parts(ctx)?;
        let update = user_invite.try_into().gql()?;
        service
            .update_invite(principal, &id, update)
            .await
            .gql()
            .map(invites::UserInviteModel)
    }

    /// Accepts an invitation on the person's behalf (service account): the user is created in
    /// the invited tenant with the invited roles, without a password.
    async fn accept_user_invite_v2(
        &self,
        ctx: &Context<'_>,
        data: invites::AcceptUserInviteV2Dto,
    ) -> Result<invites::UserInviteModel> {
        let (service, principal) = parts(ctx)?;
        service
            .accept_invite_for(principal, &data.token)
            .await
            .gql()
            .map(invites::UserInviteModel)
    }

    /// ROQ's v1 name of `acceptUserInviteV2`.
    async fn accept_user_invite(
        &self,
        ctx: &Context<'_>,
        accept_user_invite: invites::AcceptUserInviteDto,
    ) -> Result<invites::UserInviteModel> {
        let (service, principal) = parts(ctx)?;
        service
            .accept_invite_for(principal, &accept_user_invite.token)
            .await
            .gql()
            .map(invites::UserInviteModel)
    }

    /// Creates a role. (ROQ manages roles only in its Console; Tandem offers this API too.)
    async fn create_role(&self, ctx: &Context<'_>, role: RoleCreateDto) -> Result<RoleModel> {
        let (service, principal) = parts(ctx)?;
        service
            .create_role(principal, role.into())
            .await
            .gql()
            .map(RoleModel)
    }

    /// Replaces the role's permissions on one BaaS model (`projectEntityId`, the model's name)
    /// with `permissionAssignments`; an empty list takes them all away. The BaaS enforces the
    /// change from the next request after sync delivers it (milliseconds).
    async fn update_project_permissions(
        &self,
        ctx: &Context<'_>,
        role_id: ID,
        project_permissions: ProjectPermissionsDto,
    ) -> Result<RoleModel> {
        let (service, principal) = parts(ctx)?;
        service
            .update_project_permissions(principal, &role_id, project_permissions.into())
            .await
            .gql()
            .map(RoleModel)
    }

    /// Whether `password` is the user's password. `false` for deactivated users and users
    /// without a password.
    async fn verify_password(
        &self,
        ctx: &Context<'_>,
        password: String,
        user_id: ID,
    ) -> Result<bool> {
        let (service, principal) = parts(ctx)?;
        spend_password_operation(ctx)?;
        service
            .verify_password(principal, &user_id, password)
            .await
            .gql()
    }

    /// Changes end users' sign-up and log-in settings; takes effect on every replica within
    /// two seconds.
    async fn update_auth_settings(
        &self,
        ctx: &Context<'_>,
        data: auth::AuthSettingsUpdateDto,
    ) -> Result<auth::AuthSettingsModel> {
        let (service, principal) = parts(ctx)?;
        service
            .update_auth_settings(principal, data.into())
            .await
            .gql()
            .map(Into::into)
    }

    /// Starts signing tokens with a new key. The previous key stays published (its tokens keep
    /// working) for 30 days, or is withdrawn at once with `revokePrevious: true`.
    async fn rotate_signing_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] revoke_previous: bool,
    ) -> Result<auth::SigningKeyModel> {
        let (service, principal) = parts(ctx)?;
        service
            .rotate_signing_key(principal, revoke_previous)
            .await
            .gql()
            .map(Into::into)
    }

    /// Changes a password, given the current one (ROQ's v1 name of `changeUserPasswordV2`).
    async fn change_user_password(
        &self,
        ctx: &Context<'_>,
        data: ChangeUserPasswordDto,
    ) -> Result<bool> {
        let (service, principal) = parts(ctx)?;
        spend_password_operation(ctx)?;
        service.change_password(principal, data.into()).await.gql()
    }

    /// Changes a password, given the current one.
    async fn change_user_password_v2(
        &self,
        ctx: &Context<'_>,
        data: ChangeUserPasswordDto,
    ) -> Result<bool> {
        let (service, principal) = parts(ctx)?;
        spend_password_operation(ctx)?;
        service.change_password(principal, data.into()).await.gql()
    }
}
