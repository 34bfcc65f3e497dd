//! CloudWatch Logs: the `LogGroup` construct (retention required) and its L1.

use crate::core::error::Problem;
use crate::core::names;
use crate::core::resource::{CfnResource, NameScope, RemovalPolicy, UniqueName};
use crate::core::stack::Stack;
use crate::core::token::ResourceRef;
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement};
use crate::l1::logs::CfnLogGroup;

/// A log group's name is unique in its account and region.
const LOG_GROUP_NAME: UniqueName = UniqueName {
    property: "LogGroupName",
    kind: "log group",
    scope: NameScope::AccountAndRegion,
};

/// How long log events are kept: only the values CloudWatch Logs accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionDays {
    /// 1 day.
    OneDay,
    /// 3 days.
    ThreeDays,
    /// 5 days.
    FiveDays,
    /// 7 days.
    OneWeek,
    /// 14 days.
    TwoWeeks,
    /// 30 days.
    OneMonth,
    /// 60 days.
    TwoMonths,
    /// 90 days.
    ThreeMonths,
    /// 120 days.
    FourMonths,
    /// 150 days.
    FiveMonths,
    /// 180 days.
    SixMonths,
    /// 365 days.
    OneYear,
    /// 400 days.
    ThirteenMonths,
    /// 545 days.
    EighteenMonths,
    /// 731 days.
    TwoYears,
    /// 1096 days.
    ThreeYears,
    /// 1827 days.
    FiveYears,
    /// 2192 days.
    SixYears,
    /// 2557 days.
    SevenYears,
    /// 2922 days.
    EightYears,
    /// 3288 days.
    NineYears,
    /// 3653 days.
    TenYears,
    /// Keep forever: must be chosen explicitly.
    Infinite,
}

impl RetentionDays {
    /// Every finite retention with its number of days.
    const DAYS: [(RetentionDays, u32); 22] = [
        (RetentionDays::OneDay, 1),
        (RetentionDays::ThreeDays, 3),
        (RetentionDays::FiveDays, 5),
        (RetentionDays::OneWeek, 7),
        (RetentionDays::TwoWeeks, 14),
        (RetentionDays::OneMonth, 30),
        (RetentionDays::TwoMonths, 60),
        (RetentionDays::ThreeMonths, 90),
        (RetentionDays::FourMonths, 120),
        (RetentionDays::FiveMonths, 150),
        (RetentionDays::SixMonths, 180),
        (RetentionDays::OneYear, 365),
        (RetentionDays::ThirteenMonths, 400),
        (RetentionDays::EighteenMonths, 545),
        (RetentionDays::TwoYears, 731),
        (RetentionDays::ThreeYears, 1096),
        (RetentionDays::FiveYears, 1827),
        (RetentionDays::SixYears, 2192),
        (RetentionDays::SevenYears, 2557),
        (RetentionDays::EightYears, 2922),
        (RetentionDays::NineYears, 3288),
        (RetentionDays::TenYears, 3653),
    ];

    /// The number of days, `None` for [`RetentionDays::Infinite`].
    pub fn days(self) -> Option<u32> {
        Self::DAYS.iter().find(|(r, _)| *r == self).map(|(_, d)| *d)
    }

    /// The retention for a number of days, if CloudWatch Logs accepts that number.
    pub fn from_days(days: u32) -> Option<Self> {
        Self::DAYS.iter().find(|(_, d)| *d == days).map(|(r, _)| *r)
    }

    /// The numbers of days CloudWatch Logs accepts.
    pub fn accepted_days() -> impl Iterator<Item = u32> {
        Self::DAYS.iter().map(|(_, d)| *d)
    }
}

/// Settings of a [`LogGroup`]: the retention is required.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupProps {
    /// How long log events are kept (`RetentionInDays`, left out when infinite).
    pub retention: RetentionDays,
    /// The log group's name (`LogGroupName`); default: one CloudFormation generates.
    pub name: Option<Value>,
    /// Default: retain, as in the AWS CDK.
    pub removal_policy: RemovalPolicy,
    /// The key of the app the log events are encrypted with (`KmsKeyId`); its key policy
    /// gets the statement that lets CloudWatch Logs use it for the log groups of the account
    /// and region (for this group only, when its name is given as a literal).
    pub encryption_key: Option<crate::kms::Key>,
}

impl LogGroupProps {
    /// A log group keeping events for `retention`, with a generated name, retained on removal.
    pub fn new(retention: RetentionDays) -> Self {
        LogGroupProps {
            retention,
            name: None,
            removal_policy: RemovalPolicy::Retain,
            encryption_key: None,
        }
    }
    /// Encrypts the log events with a key of the app (`KmsKeyId`).
    pub fn encryption_key(mut self, key: &crate::kms::Key) -> Self {
        self.encryption_key = Some(key.clone());
        self
    }
    /// The log group's name (`LogGroupName`), checked against CloudWatch Logs' rules at synth when
    /// literal.
    pub fn name(mut self, name: impl Into<Value>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// What happens to the log group and its events when it leaves the stack (`DeletionPolicy` and
    /// `UpdateReplacePolicy`).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
}

/// A log group.
///
/// # Examples
///
/// ```
/// use constructs::logs::{LogGroup, LogGroupProps, RetentionDays};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Orders");
/// let props = LogGroupProps::new(RetentionDays::OneMonth).name("/orders/audit");
/// LogGroup::new(&mut stack, "Audit", props);
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::Logs::LogGroup", json!({
///     "LogGroupName": "/orders/audit",
///     "RetentionInDays": 30,
/// }));
/// // the events outlive the stack unless told otherwise
/// template.has_resource("AWS::Logs::LogGroup", json!({"DeletionPolicy": "Retain"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroup {
    resource: ResourceRef,
}

impl LogGroup {
    /// Creates the log group; a literal name CloudWatch Logs refuses is reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: LogGroupProps) -> LogGroup {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(Value::String(name)) = &props.name {
            if let Err(e) = names::check_name("log group name", name, 1, 512, "_-/.#") {
                stack.add_problem(Problem::new(&path, e.to_string()).property("LogGroupName"));
            }
        }
        if let Some(key) = &props.encryption_key {
            // AWS's key policy for CloudWatch Logs (Encrypt log data in CloudWatch Logs using
            // AWS KMS): the regional service principal, scoped by the encryption context to
            // the group; a generated name is not known before deploy, and naming the group by
            // reference would make the key and the group depend on each other
            let group = match &props.name {
                Some(Value::String(name)) => name.clone(),
                _ => "*".to_string(),
            };
            key.add_to_resource_policy(
                stack,
                PolicyStatement::allow()
                    .actions([
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ])
                    .principal(crate::iam::Principal::service(
                        "logs.${AWS::Region}.amazonaws.com",
                    ))
                    .resource("*")
                    .condition(
                        "ArnLike",
                        "kms:EncryptionContext:aws:logs:arn",
                        crate::core::token::fns::sub(format!(
                            "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}"
                        )),
                    ),
            );
        }
        let group = CfnLogGroup::new()
            .kms_key_id(props.encryption_key.as_ref().map(|k| k.arn()))
            .log_group_name(props.name)
            .retention_in_days(props.retention.days());
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&group)
                .with_unique_name(LOG_GROUP_NAME)
                .with_removal_policy(props.removal_policy),
        );
        LogGroup { resource }
    }

    /// The `AWS::Logs::LogGroup` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The log group's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The log group's ARN, as `Fn::GetAtt` gives it (ending in `:*`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// Rights to write log events: `logs:CreateLogStream` and `logs:PutLogEvents`.
    pub fn grant_write(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        grant(
            stack,
            grantee,
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![self.arn()],
        )
    }
}
