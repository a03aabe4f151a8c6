#ifndef EXMAPI_EXMAPI_H
#define EXMAPI_EXMAPI_H

/**
 * @file exmapi/exmapi.h
 * @brief Umbrella header: includes every public exmapi header.
 */

#include "common.h"
#include "errors.h"
#include "mapi_errors.h"
#include "compression.h"
#include "property_names.h"
#include "wire.h"
#include "rtf.h"
#include "rop.h"
#include "mapihttp.h"
#include "session.h"
#include "autodiscover.h"

#endif
