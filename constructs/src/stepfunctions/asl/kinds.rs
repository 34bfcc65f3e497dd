//! What a state or a chain is, as types: the kind of a [`Step`](super::Step) (so a Wait has no
//! `.retry`) and how a [`Chain`](super::Chain) ends (so nothing follows a Choice), with the
//! compiler's message for each misuse.

/// The kinds of state a [`Step`](super::Step) can be, as types, so that what a state does not
/// have (a Retry on a Wait, a Next after a Succeed) does not compile.
pub mod kind {
    /// A Pass state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Pass;
    /// A Task state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Task;
    /// A Wait state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Wait;
    /// A Succeed state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Succeed;
    /// A Fail state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Fail;
    /// A Parallel state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Parallel;
    /// A Map state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Map;
}

/// A chain whose last state still waits for its `Next`: `.next(..)` may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open;

/// A chain that ends in a Choice, a Succeed or a Fail: nothing can follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

mod sealed {
    pub trait Sealed {}
}

/// A kind of state, and how a chain that ends with it ends.
pub trait Kind: sealed::Sealed {
    /// [`Open`] for the states that have a `Next`, [`Closed`] for Succeed and Fail.
    type End;
}

macro_rules! kinds {
    ($($k:ident => $end:ident),+ $(,)?) => {
        $(
            impl sealed::Sealed for kind::$k {}
            impl Kind for kind::$k {
                type End = $end;
            }
        )+
    };
}

kinds!(
    Pass => Open,
    Task => Open,
    Wait => Open,
    Parallel => Open,
    Map => Open,
    Succeed => Closed,
    Fail => Closed,
);

/// The kinds of state that retry and catch errors.
#[diagnostic::on_unimplemented(
    message = "this state has no Retry or Catch: only Task, Parallel and Map states retry and catch errors",
    label = "not a Task, Parallel or Map state"
)]
pub trait Retries: Kind {}
impl Retries for kind::Task {}
impl Retries for kind::Parallel {}
impl Retries for kind::Map {}

/// The kinds of state a state can follow.
#[diagnostic::on_unimplemented(
    message = "a Succeed or Fail state ends the execution: `.next` cannot follow it",
    label = "this state is terminal"
)]
pub trait Continues: Kind {}
impl Continues for kind::Pass {}
impl Continues for kind::Task {}
impl Continues for kind::Wait {}
impl Continues for kind::Parallel {}
impl Continues for kind::Map {}

/// The kinds of state with `InputPath`, `OutputPath`, `Assign` and `Output` (all but Fail).
#[diagnostic::on_unimplemented(
    message = "a Fail state has no InputPath, OutputPath, Assign or Output",
    label = "a Fail state"
)]
pub trait Shapes: Kind {}
impl Shapes for kind::Pass {}
impl Shapes for kind::Task {}
impl Shapes for kind::Wait {}
impl Shapes for kind::Succeed {}
impl Shapes for kind::Parallel {}
impl Shapes for kind::Map {}

/// The kinds of state with `ResultPath` (Pass, Task, Parallel, Map).
#[diagnostic::on_unimplemented(
    message = "this state has no ResultPath: only Pass, Task, Parallel and Map states have one",
    label = "no ResultPath here"
)]
pub trait HasResultPath: Kind {}
impl HasResultPath for kind::Pass {}
impl HasResultPath for kind::Task {}
impl HasResultPath for kind::Parallel {}
impl HasResultPath for kind::Map {}

/// The kinds of state with `Parameters` (Pass, Task, Parallel).
#[diagnostic::on_unimplemented(
    message = "this state has no Parameters: only Pass, Task and Parallel states have them (a Map has an item selector)",
    label = "no Parameters here"
)]
pub trait HasParameters: Kind {}
impl HasParameters for kind::Pass {}
impl HasParameters for kind::Task {}
impl HasParameters for kind::Parallel {}

/// The kinds of state with `Arguments` and `ResultSelector` (Task, Parallel; a Map has a
/// `ResultSelector` too).
#[diagnostic::on_unimplemented(
    message = "this state has no Arguments: only Task and Parallel states have them",
    label = "no Arguments here"
)]
pub trait HasArguments: Kind {}
impl HasArguments for kind::Task {}
impl HasArguments for kind::Parallel {}

/// The kinds of state with `ResultSelector` (Task, Parallel, Map).
#[diagnostic::on_unimplemented(
    message = "this state has no ResultSelector: only Task, Parallel and Map states have one",
    label = "no ResultSelector here"
)]
pub trait HasResultSelector: Kind {}
impl HasResultSelector for kind::Task {}
impl HasResultSelector for kind::Parallel {}
impl HasResultSelector for kind::Map {}

/// A chain that `.next(..)` may follow.
#[diagnostic::on_unimplemented(
    message = "this chain ends in a Choice, Succeed or Fail state: `.next` cannot follow it",
    label = "nothing can come after this chain",
    note = "to go on after a Choice, rejoin its branches: `choice(..).when(..).otherwise(..).afterwards().next(..)`"
)]
pub trait IsOpen {}
impl IsOpen for Open {}

/// Never implemented: what `.next` directly on a Choice asks for, so the compiler explains.
#[diagnostic::on_unimplemented(
    message = "a Choice state has no Next: `.next` cannot follow it directly",
    label = "a Choice goes where its rules say",
    note = "rejoin its branches with `.afterwards()` and chain from that: `choice(..).when(..).otherwise(..).afterwards().next(..)`"
)]
pub trait AfterChoice {}
