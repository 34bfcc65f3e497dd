//! L1: `AWS::IAM::Role`, `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`.

use crate::core::value::Value;
use crate::{cfn_resource, cfn_struct};

cfn_struct! {
    /// An inline policy of a role (`Policies` item).
    pub struct RolePolicy {
        policy_document: Value => "PolicyDocument",
        policy_name: Value => "PolicyName",
    }
}

cfn_resource! {
    /// `AWS::IAM::Role`
    pub struct CfnRole: "AWS::IAM::Role", required ["AssumeRolePolicyDocument"],
        unique "RoleName" as "role" in Account {
        assume_role_policy_document: Value => "AssumeRolePolicyDocument",
        description: Option<String> => "Description",
        managed_policy_arns: Option<Vec<Value>> => "ManagedPolicyArns",
        max_session_duration: Option<u32> => "MaxSessionDuration",
        path: Option<String> => "Path",
        permissions_boundary: Option<Value> => "PermissionsBoundary",
        policies: Option<Vec<RolePolicy>> => "Policies",
        role_name: Option<Value> => "RoleName",
        tags: Option<Vec<crate::core::value::Value>> => "Tags",
    }
}

cfn_resource! {
    /// `AWS::IAM::Policy`: an inline policy attached to roles.
    pub struct CfnPolicy: "AWS::IAM::Policy", required ["PolicyDocument", "PolicyName"] {
        groups: Option<Vec<Value>> => "Groups",
        policy_document: Value => "PolicyDocument",
        policy_name: Value => "PolicyName",
        roles: Option<Vec<Value>> => "Roles",
        users: Option<Vec<Value>> => "Users",
    }
}

cfn_resource! {
    /// `AWS::IAM::ManagedPolicy`
    pub struct CfnManagedPolicy: "AWS::IAM::ManagedPolicy", required ["PolicyDocument"],
        unique "ManagedPolicyName" as "managed policy" in Account {
        description: Option<String> => "Description",
        groups: Option<Vec<Value>> => "Groups",
        managed_policy_name: Option<Value> => "ManagedPolicyName",
        path: Option<String> => "Path",
        policy_document: Value => "PolicyDocument",
        roles: Option<Vec<Value>> => "Roles",
        users: Option<Vec<Value>> => "Users",
    }
}
