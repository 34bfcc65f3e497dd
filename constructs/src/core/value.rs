//! Property values: JSON that may carry tokens (references resolved at synth).

use indexmap::IndexMap;

use super::token::Token;

/// A CloudFormation property value: plain JSON, or a [`Token`] anywhere inside it.
///
/// Tokens are resolved at synth, in the context of the stack being synthesized: the same
/// `table.arn()` renders as `Fn::GetAtt` in its own stack and as `Fn::ImportValue` in another.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// JSON `null`. A property whose value is `Null` is left out of the template.
    #[default]
    Null,
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSON string.
    String(String),
    /// A JSON array.
    Array(Vec<Value>),
    /// A JSON object, keys in the order inserted.
    Object(IndexMap<String, Value>),
    /// A reference or intrinsic function, resolved at synth.
    Token(Box<Token>),
}

impl Value {
    /// An empty object, to fill with [`Value::with`].
    pub fn object() -> Value {
        Value::Object(IndexMap::new())
    }

    /// Builder: this object with `key` set to `value` (a `Null` value is skipped).
    /// On anything but an object this is a no-op.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Value {
        let value = value.into();
        if let (Value::Object(map), false) = (&mut self, value.is_null()) {
            map.insert(key.to_string(), value);
        }
        self
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a [`Value::Object`].
    pub fn as_object(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The entries of a [`Value::Object`], to change them.
    pub fn as_object_mut(&mut self) -> Option<&mut IndexMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The value at a dotted path of object keys (`"PolicyDocument.Statement"`).
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        path.split('.')
            .try_fold(self, |v, key| v.as_object()?.get(key))
    }

    /// Sets the value at a dotted path, creating the objects on the way (as the AWS CDK's
    /// `addPropertyOverride` does). A non-object on the way is replaced by an object.
    pub fn set_path(&mut self, path: &str, value: Value) {
        let mut current = self;
        let mut keys = path.split('.').peekable();
        while let Some(key) = keys.next() {
            if !matches!(current, Value::Object(_)) {
                *current = Value::object();
            }
            let Value::Object(map) = current else { return };
            if keys.peek().is_none() {
                map.insert(key.to_string(), value);
                return;
            }
            current = map.entry(key.to_string()).or_insert_with(Value::object);
        }
    }

    /// Removes the value at a dotted path; returns it if it was there.
    pub fn remove_path(&mut self, path: &str) -> Option<Value> {
        let (parent, last) = match path.rsplit_once('.') {
            Some((parent, last)) => (self.get_path_mut(parent)?, last),
            None => (self, path),
        };
        parent.as_object_mut()?.shift_remove(last)
    }

    /// The value at a dotted path of object keys, mutable.
    pub fn get_path_mut(&mut self, path: &str) -> Option<&mut Value> {
        path.split('.')
            .try_fold(self, |v, key| v.as_object_mut()?.get_mut(key))
    }

    /// Visits every token in this value, depth first, in document order.
    pub fn visit_tokens<'a>(&'a self, f: &mut dyn FnMut(&'a Token)) {
        match self {
            Value::Array(items) => items.iter().for_each(|v| v.visit_tokens(f)),
            Value::Object(map) => map.values().for_each(|v| v.visit_tokens(f)),
            Value::Token(t) => {
                f(t);
                t.visit_children(f);
            }
            _ => {}
        }
    }

    /// True when this value holds no token at all (it renders to itself).
    pub fn is_literal(&self) -> bool {
        let mut literal = true;
        self.visit_tokens(&mut |_| literal = false);
        literal
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self { Value::Number(n.into()) }
        }
    )*};
}
from_int!(i32, i64, u32, u64, u16, u8, usize);
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}
impl From<Token> for Value {
    fn from(t: Token) -> Self {
        Value::Token(Box::new(t))
    }
}
impl From<&Value> for Value {
    fn from(v: &Value) -> Self {
        v.clone()
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}
impl<T: Into<Value>> From<IndexMap<String, T>> for Value {
    fn from(map: IndexMap<String, T>) -> Self {
        Value::Object(map.into_iter().map(|(k, v)| (k, v.into())).collect())
    }
}
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

/// Serializes the value as JSON; a token is written as the text of its shape (`${}` where
/// it refers to something), for measuring and inspecting. Synth resolves tokens instead.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Value::Object(m) => {
                let mut map = serializer.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Value::Token(t) => serializer.serialize_str(&t.shape()),
        }
    }
}

/// Conversion of typed property structs to [`Value`]; `None` means "leave the property out".
pub trait ToCfn {
    /// The value as it goes in the template, or `None` to leave the property out.
    fn to_cfn(&self) -> Option<Value>;
}

impl ToCfn for Value {
    fn to_cfn(&self) -> Option<Value> {
        (!self.is_null()).then(|| self.clone())
    }
}
impl ToCfn for Token {
    fn to_cfn(&self) -> Option<Value> {
        Some(Value::Token(Box::new(self.clone())))
    }
}
impl ToCfn for String {
    fn to_cfn(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}
impl ToCfn for &str {
    fn to_cfn(&self) -> Option<Value> {
        Some(Value::String((*self).to_string()))
    }
}
impl ToCfn for bool {
    fn to_cfn(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}
macro_rules! to_cfn_int {
    ($($t:ty),*) => {$(
        impl ToCfn for $t {
            fn to_cfn(&self) -> Option<Value> { Some(Value::Number((*self).into())) }
        }
    )*};
}
to_cfn_int!(i32, i64, u32, u64, u16, u8);
impl ToCfn for f64 {
    fn to_cfn(&self) -> Option<Value> {
        serde_json::Number::from_f64(*self).map(Value::Number)
    }
}
impl<T: ToCfn> ToCfn for Option<T> {
    fn to_cfn(&self) -> Option<Value> {
        self.as_ref().and_then(ToCfn::to_cfn)
    }
}
impl<T: ToCfn> ToCfn for Vec<T> {
    fn to_cfn(&self) -> Option<Value> {
        Some(Value::Array(
            self.iter().filter_map(ToCfn::to_cfn).collect(),
        ))
    }
}
impl<T: ToCfn> ToCfn for IndexMap<String, T> {
    fn to_cfn(&self) -> Option<Value> {
        Some(Value::Object(
            self.iter()
                .filter_map(|(k, v)| v.to_cfn().map(|v| (k.clone(), v)))
                .collect(),
        ))
    }
}
impl<T: ToCfn> ToCfn for Box<T> {
    fn to_cfn(&self) -> Option<Value> {
        (**self).to_cfn()
    }
}

/// Defines a typed CloudFormation property struct (for a type of your own, see
/// [`cfn_resource!`](crate::cfn_resource)) whose fields render under their
/// CloudFormation names, in the order written (alphabetical, as the registry lists them).
/// Each field's doc starts with its CloudFormation name; a struct written without a doc is
/// documented as the property type of its name.
#[macro_export]
macro_rules! cfn_struct {
    (
        #[doc = $doc:literal]
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty => $key:literal ),* $(,)?
        }
    ) => {
        $crate::cfn_struct! {
            @emit [#[doc = $doc] $(#[$meta])*]
            $name { $( [$(#[$fmeta])*] $field : $ty => $key ),* }
        }
    };
    (
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty => $key:literal ),* $(,)?
        }
    ) => {
        $crate::cfn_struct! {
            @emit [#[doc = concat!("The `", stringify!($name), "` property type.")]]
            $name { $( [$(#[$fmeta])*] $field : $ty => $key ),* }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty => $key:literal ),* $(,)?
        }
    ) => {
        $crate::cfn_struct! {
            @emit [$(#[$meta])*]
            $name { $( [$(#[$fmeta])*] $field : $ty => $key ),* }
        }
    };
    (
        @emit [$($attrs:tt)*]
        $name:ident { $( [$($fattrs:tt)*] $field:ident : $ty:ty => $key:literal ),* }
    ) => {
        $($attrs)*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(
                #[doc = concat!("`", $key, "`.")]
                $($fattrs)*
                pub $field: $ty,
            )*
        }

        impl $crate::core::value::ToCfn for $name {
            fn to_cfn(&self) -> Option<$crate::core::value::Value> {
                #[allow(unused_mut)]
                let mut map = ::indexmap::IndexMap::new();
                $(
                    if let Some(v) = $crate::core::value::ToCfn::to_cfn(&self.$field) {
                        map.insert($key.to_string(), v);
                    }
                )*
                Some($crate::core::value::Value::Object(map))
            }
        }
    };
}

/// Defines a typed L1 resource of a type rcdk does not generate (a third-party or private
/// registry type; every AWS type is in [`crate::l1`]): a [`cfn_struct!`] plus its
/// CloudFormation type name, the
/// properties CloudFormation requires (checked at synth) and, after `unique`, the property
/// whose physical name the service keeps unique, the kind of resource in words and the
/// [`NameScope`](crate::core::resource::NameScope) variant it is unique in.
#[macro_export]
macro_rules! cfn_resource {
    (
        $(#[$meta:meta])*
        pub struct $name:ident : $type_name:literal, required [$($req:literal),* $(,)?]
        $(, unique $nprop:literal as $kind:literal in $scope:ident)? {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty => $key:literal ),* $(,)?
        }
    ) => {
        $crate::cfn_struct! {
            $(#[$meta])*
            pub struct $name { $( $(#[$fmeta])* $field : $ty => $key ),* }
        }

        impl $crate::core::resource::CfnProps for $name {
            const TYPE: &'static str = $type_name;
            const REQUIRED: &'static [&'static str] = &[$($req),*];
            $(
                const UNIQUE_NAME: Option<$crate::core::resource::UniqueName> =
                    Some($crate::core::resource::UniqueName {
                        property: $nprop,
                        kind: $kind,
                        scope: $crate::core::resource::NameScope::$scope,
                    });
            )?
        }
    };
}

/// Defines a string enum rendered as its CloudFormation spelling; each variant's doc starts
/// with that spelling.
#[macro_export]
macro_rules! cfn_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( #[doc = concat!("`", $text, "`.")] $(#[$vmeta])* $variant, )* }

        impl $name {
            /// The CloudFormation spelling.
            pub fn as_str(&self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }
        }

        impl $crate::core::value::ToCfn for $name {
            fn to_cfn(&self) -> Option<$crate::core::value::Value> {
                Some($crate::core::value::Value::String(self.as_str().to_string()))
            }
        }

        impl From<$name> for $crate::core::value::Value {
            fn from(v: $name) -> Self {
                $crate::core::value::Value::String(v.as_str().to_string())
            }
        }
    };
}

/// How deep a JSON value nests (`1` for `[]` or `{}`, `0` for a scalar), measured without
/// recursion, so a value of any depth is measured without a stack overflow.
pub fn json_depth(v: &serde_json::Value) -> usize {
    use serde_json::Value as Json;
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Json::Array(items) => {
                deepest = deepest.max(d + 1);
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            Json::Object(map) => {
                deepest = deepest.max(d + 1);
                stack.extend(map.values().map(|i| (i, d + 1)));
            }
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_path_creates_objects_and_overwrites_leaves() {
        let mut v = Value::object().with("A", Value::object().with("B", 1));
        v.set_path("A.C.D", "x".into());
        v.set_path("A.B", 2.into());
        assert_eq!(v.get_path("A.C.D"), Some(&Value::from("x")));
        assert_eq!(v.get_path("A.B"), Some(&Value::from(2)));
        assert_eq!(v.remove_path("A.C"), Some(Value::object().with("D", "x")));
        assert_eq!(v.get_path("A.C"), None);
    }

    #[test]
    fn null_values_are_left_out() {
        let v = Value::object()
            .with("A", Value::Null)
            .with("B", Option::<&str>::None);
        assert_eq!(v, Value::object());
    }
}
