//! Enums whose variants cross to JavaScript by name: one declaration gives the variants,
//! their names (`name()`) and the list of all of them in declaration order (`ALL`, which
//! the addon's `contract()` hands to JavaScript so its copies can be checked).

/// Declares a fieldless enum with a name per variant, `ALL` and `name()`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $name:literal,)*
        }
    ) => {
        $(#[$meta])*
        $vis enum $ty {
            $($(#[$variant_meta])* $variant,)*
        }

        impl $ty {
            /// Every variant, in declaration order (a variant's index is its code).
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The name JavaScript knows the variant by.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The names of `ALL`, in order.
            pub fn names() -> Vec<String> {
                Self::ALL.iter().map(|variant| variant.name().to_owned()).collect()
            }
        }
    };
}

pub(crate) use named_enum;
