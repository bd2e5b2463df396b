FrOm alpine:3.20 As Builder
RuN echo mixed
from builder
CoPy --from=builder /a /b
healthcheck none
ExPoSe 8080
