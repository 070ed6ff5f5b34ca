//! JNI glue for the Android/JVM binding (`bindings/java`, package `dev.authcode`), behind
//! the `jni` feature. Each `Java_dev_authcode_Native_*` function converts its Java
//! arguments, calls the C ABI, and turns a failure into a thrown Java exception:
//!
//! * a failed C call throws `dev.authcode.AuthcodeException(code, name, message,
//!   lastError)` — the result code, its C name (`authcode_result_name`), its message
//!   (`authcode_result_message`) and the object's last-error text for that failure;
//! * a null array or string the call requires throws `NullPointerException("<parameter>
//!   is null")` (the Java classes check first; this is the second line);
//! * a failed JNI call leaves its own Java exception pending (or gets an
//!   `IllegalStateException`), and a caught panic throws `AuthcodeException(PANIC)`.
//!
//! When an exception is pending, the function returns a dummy value (0, null) that the
//! Java side never uses: a pending exception is thrown as soon as the native method
//! returns.
//!
//! References: only local references are created. Every loop that creates them (array
//! elements in, array elements out) deletes each one before the next iteration, and each
//! string conversion runs in its own local frame (jni-rs's `get_string` leaves two class
//! references behind), so a call holds a bounded number of them whatever the array's
//! length (`-Xcheck:jni` warns when they outgrow the frame's capacity; the Java test sends
//! 200-element arrays). No global reference is ever taken.
//!
//! Handles are the C pointers held as `long` by the Java objects, which guarantee that a
//! pointer passed here is live for the whole call (see `Handle.java`). The C functions
//! check them for NULL.

mod client;
mod credentials;
mod server;

use core::ffi::CStr;

use jni::JNIEnv;
use jni::objects::{
    JByteArray, JIntArray, JLongArray, JObject, JObjectArray, JString, JThrowable, JValue,
};
use jni::sys::{jbyteArray, jint, jlong, jobjectArray, jstring};
use zeroize::Zeroizing;

use crate::authcode_result;
use crate::client::{authcode_client_config, authcode_credentials_client, authcode_session};
use crate::server::authcode_server;

/// A Java exception is pending (thrown, or about to be when the native method returns).
struct Thrown;

/// The result of a step of a JNI function: on `Err`, an exception is pending.
type JniResult<T> = Result<T, Thrown>;

/// Makes sure a Java exception is pending after a failure: most JNI failures
/// (`OutOfMemoryError`, `ArrayIndexOutOfBoundsException`) already left theirs; the others
/// get an `IllegalStateException` describing `what`.
fn ensure_pending(env: &mut JNIEnv<'_>, what: &dyn core::fmt::Display) -> Thrown {
    if !env.exception_check().unwrap_or(true) {
        let _ = env.throw_new(
            "java/lang/IllegalStateException",
            format!("authcode JNI: {what}"),
        );
    }
    Thrown
}

/// Makes sure a failed jni-rs call leaves a Java exception pending.
trait OrThrow<T> {
    /// The value, or [`Thrown`] with an exception pending.
    fn or_throw(self, env: &mut JNIEnv<'_>) -> JniResult<T>;
}

impl<T> OrThrow<T> for jni::errors::Result<T> {
    fn or_throw(self, env: &mut JNIEnv<'_>) -> JniResult<T> {
        self.map_err(|error| ensure_pending(env, &error))
    }
}

/// The object whose last error explains a failure (or none, for calls without one).
#[derive(Clone)]
enum Subject {
    /// No object holds a reason (constructors, PKCE).
    Nothing,
    /// A client configuration.
    Config(*const authcode_client_config),
    /// A client session.
    Session(*const authcode_session),
    /// A machine-to-machine client.
    Credentials(*const authcode_credentials_client),
    /// An authorization server.
    Server(*const authcode_server),
    /// No object, but a reason the call returned (`authcode_client_config_from_metadata`).
    Reason(String),
}

impl Subject {
    /// The object's last-error text (empty when there is none or it cannot be read).
    fn last_error(self) -> String {
        // SAFETY: each pointer is a live handle of the Java object making the call; the
        // buffers come from `read_bytes`.
        let text = unsafe {
            match self {
                Self::Nothing => return String::new(),
                Self::Reason(reason) => return reason,
                Self::Config(config) => read_bytes(256, |b, n, o| {
                    crate::client::authcode_client_config_last_error(config, b, n, o)
                }),
                Self::Session(session) => read_bytes(256, |b, n, o| {
                    crate::client::authcode_session_last_error(session, b, n, o)
                }),
                Self::Credentials(client) => read_bytes(256, |b, n, o| {
                    crate::client::authcode_credentials_client_last_error(client, b, n, o)
                }),
                Self::Server(server) => read_bytes(256, |b, n, o| {
                    crate::server::authcode_server_last_error(server, b, n, o)
                }),
            }
        };
        text.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }
}

/// The static text a `const char *` result function returns.
fn static_text(text: *const core::ffi::c_char) -> String {
    if text.is_null() {
        return String::new();
    }
    // SAFETY: `authcode_result_name` / `_message` / `authcode_version` return static
    // NUL-terminated strings.
    unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned()
}

/// The C name of a result code (`authcode_result_name`).
fn result_name(code: i32) -> String {
    static_text(crate::result::authcode_result_name(code))
}

/// The message of a result code (`authcode_result_message`).
fn result_message(code: i32) -> String {
    static_text(crate::result::authcode_result_message(code))
}

/// A new `AuthcodeException` for result `number`.
fn new_exception<'local>(
    env: &mut JNIEnv<'local>,
    number: i32,
    last_error: &str,
) -> jni::errors::Result<JThrowable<'local>> {
    let name = env.new_string(result_name(number))?;
    let message = env.new_string(result_message(number))?;
    let last_error = env.new_string(last_error)?;
    let exception = env.new_object(
        "dev/authcode/AuthcodeException",
        "(ILjava/lang/String;Ljava/lang/String;Ljava/lang/String;)V",
        &[
            JValue::Int(number),
            JValue::Object(&name),
            JValue::Object(&message),
            JValue::Object(&last_error),
        ],
    )?;
    Ok(JThrowable::from(exception))
}

/// Throws `AuthcodeException` for `code` with `subject`'s last error.
fn throw_result(env: &mut JNIEnv<'_>, code: authcode_result, subject: Subject) -> Thrown {
    let number = code as i32;
    let last_error = subject.last_error();
    match new_exception(env, number, &last_error) {
        Ok(exception) => match env.throw(exception) {
            Ok(()) => Thrown,
            Err(error) => ensure_pending(env, &error),
        },
        Err(error) => ensure_pending(env, &error),
    }
}

/// `Ok` for `AUTHCODE_RESULT_OK`, else the thrown `AuthcodeException`.
fn check(env: &mut JNIEnv<'_>, code: authcode_result, subject: Subject) -> JniResult<()> {
    if code == authcode_result::Ok {
        Ok(())
    } else {
        Err(throw_result(env, code, subject))
    }
}

/// Throws `NullPointerException("<name> is null")`.
fn throw_null(env: &mut JNIEnv<'_>, name: &str) -> Thrown {
    match env.throw_new("java/lang/NullPointerException", format!("{name} is null")) {
        Ok(()) => Thrown,
        Err(error) => ensure_pending(env, &error),
    }
}

/// The text of a Java string, or `None` for null.
fn optional_string(env: &mut JNIEnv<'_>, value: &JString<'_>) -> JniResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    // `get_string` leaves two local references behind (the class lookups of its type
    // check); the frame releases them, so loops over strings stay bounded.
    let text = env
        .with_local_frame(4, |env| -> jni::errors::Result<String> {
            Ok(env.get_string(value)?.into())
        })
        .or_throw(env)?;
    Ok(Some(text))
}

/// The text of a Java string the call requires (`name`: the parameter, for the NPE).
fn string(env: &mut JNIEnv<'_>, value: &JString<'_>, name: &str) -> JniResult<String> {
    match optional_string(env, value)? {
        Some(text) => Ok(text),
        None => Err(throw_null(env, name)),
    }
}

/// The bytes of a Java array the call requires, wiped when dropped (bodies, keys,
/// secrets).
fn bytes(
    env: &mut JNIEnv<'_>,
    value: &JByteArray<'_>,
    name: &str,
) -> JniResult<Zeroizing<Vec<u8>>> {
    if value.is_null() {
        return Err(throw_null(env, name));
    }
    env.convert_byte_array(value)
        .or_throw(env)
        .map(Zeroizing::new)
}

/// The bytes of an optional Java array (`None` for null).
fn optional_bytes(
    env: &mut JNIEnv<'_>,
    value: &JByteArray<'_>,
) -> JniResult<Option<Zeroizing<Vec<u8>>>> {
    if value.is_null() {
        Ok(None)
    } else {
        bytes(env, value, "").map(Some)
    }
}

/// The elements of a `String[]` the call requires; a null array or element throws
/// `NullPointerException` naming it (`name`, `name[i]`). Each element's local reference
/// is deleted before the next is read.
fn strings(env: &mut JNIEnv<'_>, array: &JObjectArray<'_>, name: &str) -> JniResult<Vec<String>> {
    if array.is_null() {
        return Err(throw_null(env, name));
    }
    let count = env.get_array_length(array).or_throw(env)?;
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for index in 0..count {
        let element = JString::from(env.get_object_array_element(array, index).or_throw(env)?);
        let text = string(env, &element, &format!("{name}[{index}]"));
        env.delete_local_ref(element).or_throw(env)?;
        out.push(text?);
    }
    Ok(out)
}

/// A new Java string.
fn new_string(env: &mut JNIEnv<'_>, text: &str) -> JniResult<jstring> {
    env.new_string(text).or_throw(env).map(JString::into_raw)
}

/// A new `String[]` (null elements for `None`). Each element's local reference is
/// deleted once it is stored.
fn string_array(env: &mut JNIEnv<'_>, values: &[Option<&str>]) -> JniResult<jobjectArray> {
    let length = jint::try_from(values.len()).unwrap_or(jint::MAX);
    let array = env
        .new_object_array(length, "java/lang/String", JObject::null())
        .or_throw(env)?;
    for (index, value) in (0..length).zip(values) {
        if let Some(value) = value {
            let text = env.new_string(value).or_throw(env)?;
            let stored = env.set_object_array_element(&array, index, &text);
            env.delete_local_ref(text).or_throw(env)?;
            stored.or_throw(env)?;
        }
    }
    Ok(array.into_raw())
}

/// A new `byte[][]` (null elements for `None`). Each element's local reference is
/// deleted once it is stored.
fn byte_arrays(env: &mut JNIEnv<'_>, values: &[Option<&[u8]>]) -> JniResult<jobjectArray> {
    let length = jint::try_from(values.len()).unwrap_or(jint::MAX);
    let array = env
        .new_object_array(length, "[B", JObject::null())
        .or_throw(env)?;
    for (index, value) in (0..length).zip(values) {
        if let Some(value) = value {
            let bytes = env.byte_array_from_slice(value).or_throw(env)?;
            let stored = env.set_object_array_element(&array, index, &bytes);
            env.delete_local_ref(bytes).or_throw(env)?;
            stored.or_throw(env)?;
        }
    }
    Ok(array.into_raw())
}

/// A new `byte[]`.
fn byte_array(env: &mut JNIEnv<'_>, bytes: &[u8]) -> JniResult<jbyteArray> {
    env.byte_array_from_slice(bytes)
        .or_throw(env)
        .map(JByteArray::into_raw)
}

/// Writes `values` to the start of the `long[]` out-parameter `name`.
fn put_longs(
    env: &mut JNIEnv<'_>,
    out: &JLongArray<'_>,
    name: &str,
    values: &[jlong],
) -> JniResult<()> {
    if out.is_null() {
        return Err(throw_null(env, name));
    }
    env.set_long_array_region(out, 0, values).or_throw(env)
}

/// Writes `values` to the start of the `int[]` out-parameter `name`.
fn put_ints(
    env: &mut JNIEnv<'_>,
    out: &JIntArray<'_>,
    name: &str,
    values: &[jint],
) -> JniResult<()> {
    if out.is_null() {
        return Err(throw_null(env, name));
    }
    env.set_int_array_region(out, 0, values).or_throw(env)
}

/// Reads bytes from a C function with the `(buf, len, out_len)` convention, growing once
/// to the size it asks for. The bytes are wiped when dropped (tokens, secrets).
fn read_bytes(
    initial: usize,
    fill: impl Fn(*mut u8, usize, *mut usize) -> authcode_result,
) -> Result<Zeroizing<Vec<u8>>, authcode_result> {
    let mut buf = Zeroizing::new(vec![0u8; initial]);
    let mut len = 0usize;
    let mut result = fill(buf.as_mut_ptr(), buf.len(), &mut len);
    if result == authcode_result::BufferTooSmall {
        buf.resize(len, 0);
        result = fill(buf.as_mut_ptr(), buf.len(), &mut len);
    }
    if result != authcode_result::Ok {
        return Err(result);
    }
    buf.truncate(len);
    Ok(buf)
}

/// [`read_bytes`] as a new Java string, or the thrown exception (with `subject`'s reason).
fn read_string(
    env: &mut JNIEnv<'_>,
    subject: Subject,
    initial: usize,
    fill: impl Fn(*mut u8, usize, *mut usize) -> authcode_result,
) -> JniResult<jstring> {
    match read_bytes(initial, fill) {
        Ok(bytes) => match core::str::from_utf8(&bytes) {
            Ok(text) => new_string(env, text),
            Err(_) => Err(throw_result(env, authcode_result::InvalidUtf8, subject)),
        },
        Err(code) => Err(throw_result(env, code, subject)),
    }
}

/// [`read_bytes`] as a new Java `byte[]` (secrets), or the thrown exception.
fn read_byte_array(
    env: &mut JNIEnv<'_>,
    subject: Subject,
    initial: usize,
    fill: impl Fn(*mut u8, usize, *mut usize) -> authcode_result,
) -> JniResult<jbyteArray> {
    match read_bytes(initial, fill) {
        Ok(bytes) => byte_array(env, &bytes),
        Err(code) => Err(throw_result(env, code, subject)),
    }
}

/// A copy of a C string view (`None` when absent).
fn copy(s: crate::authcode_str) -> Option<String> {
    if s.ptr.is_null() {
        return None;
    }
    // SAFETY: the C API returned a valid range into the caller's buffer or the object,
    // still valid (no call on the object has happened since).
    let bytes = unsafe { core::slice::from_raw_parts(s.ptr, s.len) };
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// A C enum number from Java (an out-of-range value stays out of range, so the C call
/// answers `AUTHCODE_RESULT_INVALID_ARGUMENT`).
fn number(value: jint) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Seconds or a timestamp from Java (negative values are refused in Java; here they
/// become `u64::MAX`, which the C API refuses or treats as the far future).
fn seconds(value: jlong) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// A count for Java.
fn count(value: usize) -> jlong {
    jlong::try_from(value).unwrap_or(jlong::MAX)
}

/// The null reference, for functions returning objects.
fn null<T>() -> *mut T {
    core::ptr::null_mut()
}

/// Runs the body of a JNI function: a panic must not unwind into the JVM, and on any
/// failure an exception is pending and `default` (never used by Java) is returned.
fn run<T>(
    env: &mut JNIEnv<'_>,
    default: T,
    body: impl FnOnce(&mut JNIEnv<'_>) -> JniResult<T>,
) -> T {
    match std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| body(env))) {
        Ok(Ok(value)) => value,
        Ok(Err(Thrown)) => default,
        Err(_) => {
            if !env.exception_check().unwrap_or(true) {
                let _ = throw_result(env, authcode_result::Panic, Subject::Nothing);
            }
            default
        }
    }
}
