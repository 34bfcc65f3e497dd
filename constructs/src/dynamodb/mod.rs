//! DynamoDB: the `Table` construct, its keys, indexes and grants.

mod metrics;

use crate::core::error::Problem;
use crate::core::names::{self, LengthUnit, NameError};
use crate::core::resource::{CfnResource, RemovalPolicy};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;
use crate::iam::{grant, Grantable, PolicyStatement};

pub use metrics::Operation;

use crate::core::resource::{NameScope, UniqueName};
use crate::l1::dynamodb::table::{
    AttributeDefinition, AttributeType as ScalarAttributeType, BillingMode, GlobalSecondaryIndex,
    KeySchemaItem, PointInTimeRecoverySpecification, Projection, ProvisionedThroughput,
    SSESpecification, SSEType, StreamSpecification, TimeToLiveSpecification,
};
pub use crate::l1::dynamodb::table::{ProjectionType, StreamViewType};
pub use crate::l1::dynamodb::CfnTable;

/// A table's name is unique in its account and region.
const TABLE_NAME: UniqueName = UniqueName {
    property: "TableName",
    kind: "table",
    scope: NameScope::AccountAndRegion,
};

/// The longest value of a string or binary partition key, in bytes.
pub const MAX_PARTITION_KEY_VALUE_BYTES: usize = 2048;

/// Checks a table name: 3 to 255 letters, digits, '_', '.' and '-'.
pub fn check_table_name(name: &str) -> Result<(), NameError> {
    names::check_name("table name", name, 3, 255, "_.-")
}

/// Checks a key attribute's name: 1 to 255 bytes, of letters, digits and `_.-#:`.
pub fn check_key_attribute_name(name: &str) -> Result<(), NameError> {
    const KIND: &str = "key attribute name";
    if name.is_empty() || name.len() > 255 {
        return Err(NameError::Length {
            kind: KIND.into(),
            name: name.into(),
            min: 1,
            max: 255,
            len: Some(name.len()),
            unit: LengthUnit::Bytes,
        });
    }
    names::check_name(KIND, name, 1, 255, "_.-#:")
}

/// The type of a key attribute (`AttributeDefinitions[].AttributeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// `S`.
    String,
    /// `N`.
    Number,
    /// `B`.
    Binary,
}

impl AttributeType {
    fn scalar(self) -> ScalarAttributeType {
        match self {
            AttributeType::String => ScalarAttributeType::S,
            AttributeType::Number => ScalarAttributeType::N,
            AttributeType::Binary => ScalarAttributeType::B,
        }
    }
}

/// A key attribute: name and type (an `AttributeDefinitions` item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute's name (`AttributeName`).
    pub name: String,
    /// Its type (`AttributeType`).
    pub kind: AttributeType,
}

impl Attribute {
    /// A key attribute of this name and type; a name DynamoDB refuses is reported at synth.
    pub fn new(name: impl Into<String>, kind: AttributeType) -> Self {
        Attribute {
            name: name.into(),
            kind,
        }
    }
}

/// How the table is billed (`BillingMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Billing {
    /// On demand (`PAY_PER_REQUEST`), the default.
    #[default]
    OnDemand,
    /// Provisioned capacity (`PROVISIONED` with `ProvisionedThroughput`); each index then
    /// needs its own.
    Provisioned {
        /// Read capacity units, at least 1 (`ReadCapacityUnits`).
        read: u32,
        /// Write capacity units, at least 1 (`WriteCapacityUnits`).
        write: u32,
    },
}

/// Settings of a [`Table`]; `TableProps::new(partition_key)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct TableProps {
    /// The partition key (`KeySchema` `HASH`).
    pub partition_key: Attribute,
    /// The sort key (`KeySchema` `RANGE`); default: none.
    pub sort_key: Option<Attribute>,
    /// The table's name (`TableName`); default: one CloudFormation generates.
    pub table_name: Option<String>,
    /// How the table is billed (`BillingMode`); default: on demand.
    pub billing: Billing,
    /// The attribute holding each item's expiry, in epoch seconds
    /// (`TimeToLiveSpecification`); default: items do not expire.
    pub time_to_live_attribute: Option<String>,
    /// What the table's stream records hold (`StreamSpecification`); default: no stream.
    pub stream: Option<StreamViewType>,
    /// Default: retain (the data outlives the stack), as in the AWS CDK.
    pub removal_policy: RemovalPolicy,
    /// Continuous backups to restore any second of the last 35 days
    /// (`PointInTimeRecoverySpecification`); default: false.
    pub point_in_time_recovery: bool,
    /// Refuse to delete the table (`DeletionProtectionEnabled`); default: false.
    pub deletion_protection: bool,
    /// The key of the app the table is encrypted with (`SSESpecification`, `KMS`); default:
    /// DynamoDB's own key.
    pub encryption_key: Option<crate::kms::Key>,
}

impl TableProps {
    /// An on-demand table keyed by `partition_key`, without stream or expiry, retained on
    /// removal.
    pub fn new(partition_key: Attribute) -> Self {
        TableProps {
            partition_key,
            sort_key: None,
            table_name: None,
            billing: Billing::OnDemand,
            time_to_live_attribute: None,
            stream: None,
            removal_policy: RemovalPolicy::Retain,
            point_in_time_recovery: false,
            deletion_protection: false,
            encryption_key: None,
        }
    }
    /// Encrypts the table with a key of the app (`SSESpecification`): data grants include the
    /// key's rights.
    pub fn encryption_key(mut self, key: &crate::kms::Key) -> Self {
        self.encryption_key = Some(key.clone());
        self
    }
    /// The sort key (`KeySchema` `RANGE`); the same name as the partition key is reported at
    /// synth.
    pub fn sort_key(mut self, key: Attribute) -> Self {
        self.sort_key = Some(key);
        self
    }
    /// The table's name (`TableName`); one DynamoDB refuses is reported at synth.
    pub fn table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = Some(name.into());
        self
    }
    /// How the table is billed (`BillingMode`, `ProvisionedThroughput`).
    pub fn billing(mut self, billing: Billing) -> Self {
        self.billing = billing;
        self
    }
    /// The attribute holding each item's expiry, in epoch seconds
    /// (`TimeToLiveSpecification`).
    pub fn time_to_live_attribute(mut self, name: impl Into<String>) -> Self {
        self.time_to_live_attribute = Some(name.into());
        self
    }
    /// Gives the table a stream whose records hold `view` (`StreamSpecification`).
    pub fn stream(mut self, view: StreamViewType) -> Self {
        self.stream = Some(view);
        self
    }
    /// What happens to the table and its data when it leaves the stack (`DeletionPolicy` and
    /// `UpdateReplacePolicy`).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.removal_policy = policy;
        self
    }
    /// Turns on continuous backups (`PointInTimeRecoverySpecification`).
    pub fn point_in_time_recovery(mut self) -> Self {
        self.point_in_time_recovery = true;
        self
    }
    /// Refuses deletion of the table (`DeletionProtectionEnabled: true`).
    pub fn deletion_protection(mut self) -> Self {
        self.deletion_protection = true;
        self
    }
}

/// A global secondary index (`GlobalSecondaryIndexes` item):
/// `GlobalIndexProps::new(name, partition_key)` then builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalIndexProps {
    /// The index's name (`IndexName`).
    pub name: String,
    /// The index's partition key (`KeySchema` `HASH`).
    pub partition_key: Attribute,
    /// The index's sort key (`KeySchema` `RANGE`); default: none.
    pub sort_key: Option<Attribute>,
    /// Which attributes the index holds (`Projection.ProjectionType`); default: all.
    pub projection: ProjectionType,
    /// The attributes an `INCLUDE` projection adds to the keys
    /// (`Projection.NonKeyAttributes`).
    pub non_key_attributes: Vec<String>,
    /// Read and write capacity units (`ProvisionedThroughput`): required when the table is
    /// provisioned, refused when it is on demand.
    pub capacity: Option<(u32, u32)>,
}

impl GlobalIndexProps {
    /// An index named `name`, keyed by `partition_key`, holding every attribute.
    pub fn new(name: impl Into<String>, partition_key: Attribute) -> Self {
        GlobalIndexProps {
            name: name.into(),
            partition_key,
            sort_key: None,
            projection: ProjectionType::All,
            non_key_attributes: Vec::new(),
            capacity: None,
        }
    }
    /// The index's sort key (`KeySchema` `RANGE`).
    pub fn sort_key(mut self, key: Attribute) -> Self {
        self.sort_key = Some(key);
        self
    }
    /// Which attributes the index holds (`Projection.ProjectionType`).
    pub fn projection(mut self, projection: ProjectionType) -> Self {
        self.projection = projection;
        self
    }
    /// Adds an attribute an `INCLUDE` projection holds (`Projection.NonKeyAttributes`).
    pub fn non_key_attribute(mut self, name: impl Into<String>) -> Self {
        self.non_key_attributes.push(name.into());
        self
    }
    /// Read and write capacity units of a provisioned table's index
    /// (`ProvisionedThroughput`).
    pub fn capacity(mut self, read: u32, write: u32) -> Self {
        self.capacity = Some((read, write));
        self
    }
}

/// The actions `grant_read_data` gives, on the table and its indexes.
pub const READ_DATA_ACTIONS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];
/// The actions `grant_write_data` gives, on the table and its indexes.
pub const WRITE_DATA_ACTIONS: &[&str] = &[
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];
/// The actions `grant_stream_read` gives, on the table's stream.
pub const STREAM_READ_ACTIONS: &[&str] = &[
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
];

/// A DynamoDB table.
///
/// The handle remembers only what cannot change (where the table is, whether it was made
/// with a stream): its indexes, key attributes, billing and stream are read from its stack,
/// and its grants name the indexes as the template has them when rendered, so a grant made
/// before an index is added, or through a clone of the handle, still covers it.
///
/// # Examples
///
/// ```
/// use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Orders");
/// let key = Attribute::new("customer", AttributeType::String);
/// let props = TableProps::new(key).sort_key(Attribute::new("placedAt", AttributeType::Number));
/// Table::new(&mut stack, "Orders", props);
///
/// let template = Template::from_stack(&stack);
/// template.has_resource_properties("AWS::DynamoDB::Table", json!({"KeySchema": [
///     {"AttributeName": "customer", "KeyType": "HASH"},
///     {"AttributeName": "placedAt", "KeyType": "RANGE"},
/// ]}));
/// // the data outlives the stack unless told otherwise
/// template.has_resource("AWS::DynamoDB::Table", json!({"DeletionPolicy": "Retain"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    resource: ResourceRef,
    made_with_stream: bool,
    key: Option<crate::kms::Key>,
}

impl Table {
    /// Creates the table (`AWS::DynamoDB::Table`); keys, names and capacities DynamoDB would
    /// refuse are reported at synth.
    pub fn new(stack: &mut Stack, id: &str, props: TableProps) -> Table {
        let path = stack.path_of(&format!("{id}/Resource"));
        if let Some(name) = &props.table_name {
            if let Err(e) = check_table_name(name) {
                stack.add_problem(Problem::new(&path, e.to_string()).property("TableName"));
            }
        }
        let mut attributes = vec![props.partition_key.clone()];
        let mut key_schema = vec![KeySchemaItem::new(
            props.partition_key.name.as_str(),
            "HASH",
        )];
        if let Some(sort) = &props.sort_key {
            if sort.name == props.partition_key.name {
                stack.add_problem(
                    Problem::new(
                        &path,
                        format!("the sort key {} is also the partition key", sort.name),
                    )
                    .property("KeySchema"),
                );
            }
            attributes.push(sort.clone());
            key_schema.push(KeySchemaItem::new(sort.name.as_str(), "RANGE"));
        }
        for a in &attributes {
            if let Err(e) = check_key_attribute_name(&a.name) {
                stack.add_problem(
                    Problem::new(&path, e.to_string()).property("AttributeDefinitions"),
                );
            }
        }
        let (billing_mode, throughput) = match props.billing {
            Billing::OnDemand => (BillingMode::PayPerRequest, None),
            Billing::Provisioned { read, write } => {
                if read == 0 || write == 0 {
                    stack.add_problem(
                        Problem::new(
                            &path,
                            "provisioned read and write capacity must be at least 1",
                        )
                        .property("ProvisionedThroughput"),
                    );
                }
                (
                    BillingMode::Provisioned,
                    Some(ProvisionedThroughput::new(read, write)),
                )
            }
        };
        let made_with_stream = props.stream.is_some();
        let mut table = CfnTable::new(key_schema)
            .attribute_definitions(definitions(&attributes))
            .billing_mode(billing_mode)
            .table_name(props.table_name);
        if props.deletion_protection {
            table = table.deletion_protection_enabled(true);
        }
        if props.point_in_time_recovery {
            table = table.point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::new().point_in_time_recovery_enabled(true),
            );
        }
        if let Some(throughput) = throughput {
            table = table.provisioned_throughput(throughput);
        }
        if let Some(view) = props.stream {
            table = table.stream_specification(StreamSpecification::new(view));
        }
        if let Some(key) = &props.encryption_key {
            table = table.sse_specification(
                SSESpecification::new(true)
                    .sse_type(SSEType::Kms)
                    .kms_master_key_id(key.arn()),
            );
        }
        if let Some(attribute) = props.time_to_live_attribute {
            table = table.time_to_live_specification(
                TimeToLiveSpecification::new(true).attribute_name(attribute),
            );
        }
        let resource = stack.add_resource(
            &format!("{id}/Resource"),
            CfnResource::from_props(&table)
                .with_unique_name(TABLE_NAME)
                .with_removal_policy(props.removal_policy),
        );
        Table {
            resource,
            made_with_stream,
            key: props.encryption_key,
        }
    }

    /// Adds a global secondary index; its key attributes join the table's definitions (as
    /// the table's resource holds them, whatever handle added them). `stack` must be the
    /// table's own: another is reported at synth.
    pub fn add_global_secondary_index(&self, stack: &mut Stack, index: GlobalIndexProps) {
        let path = self.resource.path.clone();
        let Some(resource) = stack.resource(&self.resource) else {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "index {} is added with stack {}, but the table is in stack {}",
                        index.name,
                        stack.name(),
                        self.resource.stack
                    ),
                )
                .property("GlobalSecondaryIndexes")
                .help("add the index with the table's own stack"),
            );
            return;
        };
        let mut attributes = key_attributes(resource);
        let provisioned =
            resource.properties.get_path("BillingMode") == Some(&Value::from("PROVISIONED"));
        for key in std::iter::once(&index.partition_key).chain(index.sort_key.as_ref()) {
            match attributes.iter().find(|a| a.name == key.name) {
                Some(a) if a.kind != key.kind => stack.add_problem(
                    Problem::new(
                        &path,
                        format!(
                        "index {} declares attribute {} as {:?}, but the table declares it as {:?}",
                        index.name, key.name, key.kind, a.kind
                    ),
                    )
                    .property("AttributeDefinitions"),
                ),
                Some(_) => {}
                None => attributes.push(key.clone()),
            }
        }
        if provisioned != index.capacity.is_some() {
            stack.add_problem(
                Problem::new(
                    &path,
                    format!(
                        "index {}: give a capacity exactly when the table is provisioned",
                        index.name
                    ),
                )
                .property("GlobalSecondaryIndexes"),
            );
        }
        let mut key_schema = vec![KeySchemaItem::new(
            index.partition_key.name.as_str(),
            "HASH",
        )];
        if let Some(sort) = &index.sort_key {
            key_schema.push(KeySchemaItem::new(sort.name.as_str(), "RANGE"));
        }
        let mut projection = Projection::new().projection_type(index.projection);
        if !index.non_key_attributes.is_empty() {
            projection = projection.non_key_attributes(index.non_key_attributes);
        }
        let mut gsi = GlobalSecondaryIndex::new(index.name.as_str(), key_schema, projection);
        if let Some((read, write)) = index.capacity {
            gsi = gsi.provisioned_throughput(ProvisionedThroughput::new(read, write));
        }
        let definitions = Value::from(definitions(&attributes));
        if let Some(resource) = stack.resource_mut(&self.resource) {
            let gsi = Value::from(gsi);
            match resource.properties.get_path_mut("GlobalSecondaryIndexes") {
                Some(Value::Array(items)) => items.push(gsi),
                _ => resource
                    .properties
                    .set_path("GlobalSecondaryIndexes", Value::Array(vec![gsi])),
            }
            resource
                .properties
                .set_path("AttributeDefinitions", definitions);
        }
    }

    /// The `AWS::DynamoDB::Table` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// The table's name (`Ref`).
    pub fn name(&self) -> Value {
        self.resource.reference()
    }

    /// The table's ARN (`Fn::GetAtt Arn`).
    pub fn arn(&self) -> Value {
        self.resource.get_att("Arn")
    }

    /// True when the table has a stream: given at construction, enabled since in `stack`
    /// (the table's own), or to be enabled at synth by `stack` (another).
    pub fn has_stream(&self, stack: &Stack) -> bool {
        self.made_with_stream
            || stack
                .resource(&self.resource)
                .is_some_and(|r| crate::core::deferred::has_property(r, "StreamSpecification"))
            || stack.sets_property(&self.resource, "StreamSpecification")
    }

    /// Gives the table a stream whose records hold `view` (`StreamSpecification`), unless it
    /// already has one (then its view is kept); true when this call gives it one. With
    /// another stack than the table's (an event source of another stack), synth turns the
    /// stream on in the table's stack, unless it has one by then.
    pub fn enable_stream(&self, stack: &mut Stack, view: StreamViewType) -> bool {
        if self.has_stream(stack) {
            return false;
        }
        stack.set_property_if_absent(
            &self.resource,
            "StreamSpecification",
            StreamSpecification::new(view).into(),
            &format!("the stream of the table {}", self.resource.path),
            "give the table its stream where it is made (TableProps::stream)",
        )
    }

    /// The stream's ARN. A table that has no stream once the app is built (given at
    /// construction or by [`Table::enable_stream`], before or after this call) is reported
    /// at synth.
    pub fn stream_arn(&self, stack: &mut Stack) -> Value {
        stack.require_property(
            &self.resource,
            "StreamSpecification",
            Problem::new(
                &self.resource.path,
                "the table's stream ARN is used, but the table has no stream",
            )
            .property("StreamSpecification")
            .help("give it TableProps::stream(..), or call enable_stream"),
        );
        self.resource.get_att("StreamArn")
    }

    /// The resources a data grant covers: the table, and its indexes when it has any once
    /// the app is built (decided when the template is rendered, so an index added after the
    /// grant, or through another handle of the table, is covered).
    pub fn data_resources(&self) -> Vec<Value> {
        vec![fns::if_property(
            &self.resource,
            "GlobalSecondaryIndexes",
            Value::Array(vec![
                self.arn(),
                fns::sub_with("${Table}/index/*", [("Table", self.arn())]),
            ]),
            self.arn(),
        )]
    }

    /// [`READ_DATA_ACTIONS`] on the table and its indexes.
    pub fn grant_read_data(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant_key(stack, grantee, crate::kms::DECRYPT_ACTIONS);
        grant(stack, grantee, READ_DATA_ACTIONS, self.data_resources())
    }

    /// The rights on the table's key (a key of the app) that a data grant needs.
    fn grant_key(&self, stack: &mut Stack, grantee: &dyn Grantable, actions: &[&str]) {
        if let Some(key) = &self.key {
            key.grant(stack, grantee, actions);
        }
    }

    /// The key of the app the table is encrypted with, when it is.
    pub fn encryption_key(&self) -> Option<&crate::kms::Key> {
        self.key.as_ref()
    }

    /// [`WRITE_DATA_ACTIONS`] on the table and its indexes.
    pub fn grant_write_data(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        self.grant_key(stack, grantee, crate::kms::ENCRYPT_DECRYPT_ACTIONS);
        grant(stack, grantee, WRITE_DATA_ACTIONS, self.data_resources())
    }

    /// [`READ_DATA_ACTIONS`] and [`WRITE_DATA_ACTIONS`] on the table and its indexes, in one
    /// statement.
    pub fn grant_read_write_data(
        &self,
        stack: &mut Stack,
        grantee: &dyn Grantable,
    ) -> PolicyStatement {
        let mut actions: Vec<&str> = READ_DATA_ACTIONS
            .iter()
            .chain(WRITE_DATA_ACTIONS)
            .copied()
            .collect();
        actions.sort_unstable();
        actions.dedup();
        self.grant_key(stack, grantee, crate::kms::ENCRYPT_DECRYPT_ACTIONS);
        grant(stack, grantee, &actions, self.data_resources())
    }

    /// Read access to the table's stream (and `dynamodb:ListStreams`, which takes no resource).
    pub fn grant_stream_read(&self, stack: &mut Stack, grantee: &dyn Grantable) -> PolicyStatement {
        let stream = self.stream_arn(stack);
        grantee.grant_role().add_to_policy(
            stack,
            PolicyStatement::allow()
                .action("dynamodb:ListStreams")
                .resource("*"),
        );
        grant(stack, grantee, STREAM_READ_ACTIONS, vec![stream])
    }
}

/// The key attributes the table's resource defines (`AttributeDefinitions`).
fn key_attributes(resource: &CfnResource) -> Vec<Attribute> {
    let Some(Value::Array(items)) = resource.properties.get_path("AttributeDefinitions") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let name = item.get_path("AttributeName")?.as_str()?;
            let kind = match item.get_path("AttributeType")?.as_str()? {
                "S" => AttributeType::String,
                "N" => AttributeType::Number,
                "B" => AttributeType::Binary,
                _ => return None,
            };
            Some(Attribute::new(name, kind))
        })
        .collect()
}

fn definitions(attributes: &[Attribute]) -> Vec<AttributeDefinition> {
    attributes
        .iter()
        .map(|a| AttributeDefinition::new(a.name.as_str(), a.kind.scalar()))
        .collect()
}
