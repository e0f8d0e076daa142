//! JSON request bodies as the contract has them: objects. serde reads a struct from an array
//! too (`[null, "x"]` fills its fields in order), which `web::Json` would accept.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ApiError;
use crate::model::ErrorKind;

/// A body that must be a JSON object, read into `T` (limits and errors as `web::Json`'s).
pub struct JsonObject<T>(pub T);

impl<T> JsonObject<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonObject<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = web::Json::<Map<String, Value>>::from_request(req, payload);
        Box::pin(async move {
            let object = object.await?.into_inner();
            serde_json::from_value(Value::Object(object))
                .map(JsonObject)
                .map_err(|e| bad_json(e.to_string()).into())
        })
    }
}

/// An optional JSON body: empty, `null`, or an object.
pub(super) fn optional_object<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.trim_ascii().is_empty() {
        return Ok(T::default());
    }
    match serde_json::from_slice(body).map_err(|e| bad_json(e.to_string()))? {
        Value::Null => Ok(T::default()),
        v @ Value::Object(_) => serde_json::from_value(v).map_err(|e| bad_json(e.to_string())),
        _ => Err(bad_json("the body is a JSON object".into())),
    }
}

fn bad_json(message: String) -> ApiError {
    ApiError::new(ErrorKind::InvalidInput, "bad-json", message)
}
