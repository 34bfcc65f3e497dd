//! The intrinsic functions of JSONPath states (`States.Format`, `States.Array`, ...).
