//! The patterns of `../shared/seeds/`, rebuilt with the construct library. Each module reads
//! like the architecture it builds, and says which of the original's bugs it fixes.

pub mod async_streaming;
pub mod embedded_workflow;
pub mod map_dynamodb;
pub mod task_status;
pub mod waitable;

use constructs::RemovalPolicy;

/// The removal policy of a pattern's data, from its `removeDataOnDestroy` setting.
pub(crate) fn removal(remove_data_on_destroy: bool) -> RemovalPolicy {
    if remove_data_on_destroy {
        RemovalPolicy::Destroy
    } else {
        RemovalPolicy::Retain
    }
}
