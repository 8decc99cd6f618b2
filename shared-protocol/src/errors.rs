//! Python exceptions raised on the cores. The firmware sends numbers (an
//! exception type, a message code, a line and detail values); the host turns
//! them into text with these tables, so message text costs the firmware nothing.

macro_rules! numbered {
    ($(#[$m:meta])* $ty:ident { $( $name:ident = $code:literal => $text:literal, )* }) => {
        $(#[$m])*
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $ty { $( $name = $code, )* }

        impl $ty {
            pub const fn from_u32(v: u32) -> Option<$ty> {
                match v { $( $code => Some($ty::$name), )* _ => None }
            }
            /// The host-side text.
            pub const fn text(self) -> &'static str {
                match self { $( $ty::$name => $text, )* }
            }
        }
    };
}

numbered! {
    /// Python exception types the device raises.
    ExcType {
        NameError = 1 => "NameError",
        TypeError = 2 => "TypeError",
        ValueError = 3 => "ValueError",
        ZeroDivisionError = 4 => "ZeroDivisionError",
        IndexError = 5 => "IndexError",
        OverflowError = 6 => "OverflowError",
        MemoryError = 7 => "MemoryError",
        RecursionError = 8 => "RecursionError",
        AttributeError = 9 => "AttributeError",
        UnboundLocalError = 10 => "UnboundLocalError",
        AssertionError = 11 => "AssertionError",
        EOFError = 12 => "EOFError",
    }
}

numbered! {
    /// Message templates; each `{}` takes the next detail value's str().
    Msg {
        DivisionByZero = 1 => "division by zero",
        FloatDivisionByZero = 2 => "float division by zero",
        IntDivisionOrModuloByZero = 3 => "integer division or modulo by zero",
        IntModuloByZero = 4 => "integer modulo by zero",
        FloatModuloByZero = 5 => "float modulo",
        FloatFloorDivisionByZero = 6 => "float floor division by zero",
        NameNotDefined = 7 => "name '{}' is not defined",
        LocalUnbound = 8 => "cannot access local variable '{}' where it is not associated with a value",
        UnsupportedOperands = 9 => "unsupported operand type(s) for {}: '{}' and '{}'",
        BadUnaryOperand = 10 => "bad operand type for unary {}: '{}'",
        NotSupportedBetween = 11 => "'{}' not supported between instances of '{}' and '{}'",
        IntOverflow = 12 => "integer result does not fit in 32 bits (ints on the device are 32-bit)",
        NotCallable = 13 => "'{}' object is not callable",
        WrongArgCount = 14 => "{}() takes {} positional arguments but {} were given",
        NoModuleAttribute = 15 => "module '{}' has no attribute '{}'",
        OutOfMemory = 16 => "out of memory",
        RecursionDepth = 17 => "maximum recursion depth exceeded",
        NegativeShift = 18 => "negative shift count",
        ZeroToNegativePower = 19 => "0.0 cannot be raised to a negative power",
        FloatOverflow = 20 => "numerical result out of range",
        NotAnObjectAttribute = 21 => "'{}' object has no attribute '{}'",
        Generic = 22 => "{}",
        IndexOutOfRange = 23 => "{} index out of range",
        AssignmentIndexOutOfRange = 24 => "{} assignment index out of range",
        NotSubscriptable = 25 => "'{}' object is not subscriptable",
        NoItemAssignment = 26 => "'{}' object does not support item assignment",
        IndicesMustBeIntegers = 27 => "{} indices must be integers or slices, not {}",
        NotIterable = 28 => "'{}' object is not iterable",
        TooManyToUnpack = 29 => "too many values to unpack (expected {})",
        NotEnoughToUnpack = 30 => "not enough values to unpack (expected {}, got {})",
        NoLen = 31 => "object of type '{}' has no len()",
        PopFromEmptyList = 32 => "pop from empty list",
        PopIndexOutOfRange = 33 => "pop index out of range",
        NotInList = 34 => "{} is not in list",
        SubstringNotFound = 35 => "substring not found",
        UnexpectedKeyword = 36 => "{}() got an unexpected keyword argument '{}'",
        MultipleValuesForArgument = 37 => "{}() got multiple values for argument '{}'",
        // Details: the function, how many are missing, their names in one
        // Str separated by spaces; the host words the list as CPython does.
        MissingArguments = 38 => "{}() missing {} required positional arguments: {}",
        NoKeywordArguments = 39 => "{}() takes no keyword arguments",
        // Details: the base, the text (the host shows its repr).
        InvalidIntLiteral = 40 => "invalid literal for int() with base {}: {}",
        InvalidFloatLiteral = 41 => "could not convert string to float: {}",
        CannotConvert = 42 => "{}() argument must be a string or a number, not '{}'",
        CanOnlyConcatenate = 43 => "can only concatenate {} (not \"{}\") to {}",
        EmptySequenceArgument = 44 => "{}() arg is an empty sequence",
        MathDomainError = 45 => "math domain error",
        MathRangeError = 46 => "math range error",
        ZeroStep = 47 => "{} step must not be zero",
        EmptyRange = 48 => "empty range in {}",
        CannotChooseFromEmpty = 49 => "Cannot choose from an empty sequence",
        FloatToIntInfinity = 50 => "cannot convert float infinity to integer",
        FloatToIntNan = 51 => "cannot convert float NaN to integer",
        // The second detail is a method number (`natives::METHODS`): the host names it.
        NoMethod = 52 => "'{}' object has no attribute '{}'",
        SequenceTooLong = 53 => "{} is too long for the device ({} items)",
        ArgumentMustBe = 54 => "{}() argument must be {}, not '{}'",
        Empty = 55 => "",
        EndOfInput = 56 => "EOF when reading a line",
        WrongArgCountRange = 57 => "{}() takes from {} to {} positional arguments but {} were given",
        ExpectedAtLeast = 58 => "{} expected at least {} argument, got {}",
        ImageRefused = 59 => "bytecode image refused: check {} at byte {}",
        NotInGroup = 60 => "core {} is not in this launch group",
        MessageTooLarge = 61 => "a message of {} bytes does not fit a postbox ring ({} bytes)",
        UnknownReduceOp = 62 => "reduce() operator must be 'sum', 'min', 'max' or 'prod', not {}",
        // Never reported: a `parallel` wait was halted or cancelled (the
        // firmware's executor turns this raise into the stop).
        StopHalt = 63 => "the core was halted",
        StopCancel = 64 => "the launch was cancelled",
        ResultTooBig = 65 => "the return value is too big to send to the host (more than the core's 64 KB event ring, encoded)",
        // Details: method number, receiver type, arguments given; the host
        // words it as CPython does for that method (each has its own sentence).
        MethodArgCount = 66 => "{}() on '{}' got {} arguments",
        NotAnInteger = 67 => "'{}' object cannot be interpreted as an integer",
        // Details: method number, argument number (from 1), the argument's
        // type; the host words it as CPython does for that method.
        StrMethodArgType = 68 => "{}() argument {} must be str, not {}",
        JoinItemNotStr = 69 => "sequence item {}: expected str instance, {} found",
        CanOnlyJoinIterable = 70 => "can only join an iterable",
        EmptySeparator = 71 => "empty separator",
        SepNotStr = 72 => "sep must be None or a string, not {}",
        EndNotStr = 73 => "end must be None or a string, not {}",
        CanOnlyAssignIterable = 74 => "can only assign an iterable",
        ExtendedSliceNotIterable = 75 => "must assign iterable to extended slice",
        ExtendedSliceSize = 76 => "attempt to assign sequence of size {} to extended slice of size {}",
        SliceIndices = 77 => "slice indices must be integers or None or have an __index__ method",
        // list.index's start and end (None is not one).
        ListIndexBounds = 78 => "slice indices must be integers or have an __index__ method",
        FreeUnbound = 90 => "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
        // Lists and tuples nested more than `value::MAX_DEPTH` deep.
        ReprTooDeep = 79 => "maximum recursion depth exceeded while getting the repr of an object",
        // A value leaving the kernel: its result, a message, device data.
        EncodeTooDeep = 80 => "maximum recursion depth exceeded while encoding a value (lists and tuples nested more than 1000 deep cannot leave the kernel)",
        SelfReference = 81 => "a list or tuple that contains itself cannot leave the kernel (as its result, a message or device data)",
        IntBaseRange = 91 => "int() base must be >= 2 and <= 36, or 0",
        IntNonStringWithBase = 92 => "int() can't convert non-string with explicit base",
        NotInTuple = 93 => "tuple.index(x): x not in tuple",
        // Calling a type the device makes no values with (`natives::Kind::Type`).
        CannotCreateInstances = 94 => "cannot create '{}' instances",
        // A function that uses variables of an enclosing function, in a message.
        ClosureCannotTravel = 95 => "a closure cannot be sent to another core (it uses variables of an enclosing function; send a function defined at the top level)",
        // The count of send(v, pid, n), recv(pid, n), sendrecv(v, pid, n).
        NegativeCount = 96 => "{}() count must not be negative",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        assert_eq!(ExcType::from_u32(4), Some(ExcType::ZeroDivisionError));
        assert_eq!(ExcType::ZeroDivisionError.text(), "ZeroDivisionError");
        assert_eq!(Msg::from_u32(Msg::NameNotDefined as u32), Some(Msg::NameNotDefined));
        assert_eq!(ExcType::from_u32(0), None);
    }

    #[test]
    fn the_depth_in_the_text_is_the_limit() {
        // The firmware does not format numbers: the limit is in the text.
        assert_eq!(crate::value::MAX_DEPTH, 1000, "update Msg::EncodeTooDeep's text");
        assert!(Msg::EncodeTooDeep.text().contains("nested more than 1000 deep"));
    }
}
