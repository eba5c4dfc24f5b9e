// libnats objects, each owned once (RAII), and the text of a libnats status for error messages.
#pragma once

#include <nats/nats.h>

#include <memory>
#include <string>

namespace culex::cluster {

template <auto Destroy>
struct NatsDeleter {
    template <typename T>
    void operator()(T* object) const {
        if (object) Destroy(object);
    }
};

using OptionsPtr = std::unique_ptr<natsOptions, NatsDeleter<natsOptions_Destroy>>;
using ConnectionPtr = std::unique_ptr<natsConnection, NatsDeleter<natsConnection_Destroy>>;
using SubscriptionPtr = std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription_Destroy>>;
using MessagePtr = std::unique_ptr<natsMsg, NatsDeleter<natsMsg_Destroy>>;
using JetStreamPtr = std::unique_ptr<jsCtx, NatsDeleter<jsCtx_Destroy>>;
using KeyValuePtr = std::unique_ptr<kvStore, NatsDeleter<kvStore_Destroy>>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo_Destroy>>;

// "STATUS_TEXT: last error detail" of the calling thread's last libnats error.
inline std::string nats_error(natsStatus status) {
    std::string text = natsStatus_GetText(status);
    natsStatus last = NATS_OK;
    if (const char* detail = nats_GetLastError(&last); detail && *detail && text != detail)
        text += std::string(": ") + detail;
    return text;
}

}  // namespace culex::cluster
