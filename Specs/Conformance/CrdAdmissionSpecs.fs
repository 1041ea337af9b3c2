/// Admission of custom resources by our CRDs (manifests/crds): unknown fields pruned, defaults filled in, enum,
/// pattern and CEL rules rejecting with the field path they name.
module Ztwim.Specs.Conformance.CrdAdmissionSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Conformance.ClusterUnderTest

let private operatorCr (kind: string) (name: string) (spec: string) =
    Json.obj
        [ "apiVersion", Json.String ResourceTypes.OperatorApiVersion
          "kind", Json.String kind
          "metadata", Json.obj [ "name", Json.String name ]
          "spec", json spec ]

/// Runs `body` with the singleton `kind` "cluster" of the test's own: the five operator CRs are singletons, so on a
/// shared real server a test can only make one where none is (another suite's) and must delete it after.
let private withSingleton (c: ClusterUnderTest) (kind: string) (body: unit -> System.Threading.Tasks.Task<unit>) =
    task {
        let r = JsonAccess.Ref(ResourceTypes.OperatorApiVersion, kind, null, "cluster")
        let! existing = c.Client.GetAsync(r, ct)

        if existing.IsOk then
            skiptest (sprintf "%s cluster exists already (another suite's on this control plane)" kind)

        try
            do! body ()
        finally
            c.Client.DeleteAsync(r, ct).Wait()
    }

/// A create that admission rejects: 422 Invalid, the message naming `path`.
let private rejected (c: ClusterUnderTest) (path: string) (obj: Json) =
    task {
        let! e = c.Client.CreateAsync(obj, ct) |> fails (sprintf "create with a bad %s" path)
        Expect.equal (e.Code, e.Reason) (422, "Invalid") (sprintf "rejected: %s" e.Message)
        Expect.stringContains e.Message (path + ": ") "the message names the field"
        return e.Message
    }

let properties =
    [ property "unknown fields of a custom resource are pruned, at the top and inside the spec" (fun c ->
          task {
              let sent =
                  (clusterSpiffeId c "p" "spiffe://a/b")
                      .With([| "spec"; "bogus" |], Json.num 1)
                      .With([| "extra" |], Json.String "x")

              let! created = c.Client.CreateAsync(sent, ct) |> ok "create"
              Expect.isTrue (absent (created.At("spec", "bogus"))) "spec.bogus pruned"
              Expect.isTrue (absent (created.At "extra")) "extra pruned"
              Expect.equal (created.Str("spec", "spiffeIDTemplate")) "spiffe://a/b" "known field kept"
          })
      property "an operator CR takes its schema defaults and loses its unknown fields" (fun c ->
          withSingleton c "SpiffeCSIDriver" (fun () ->
              task {
                  let! created =
                      c.Client.CreateAsync(operatorCr "SpiffeCSIDriver" "cluster" """{"bogus": true}""", ct)
                      |> ok "create"

                  Expect.equal (created.Str("spec", "agentSocketPath")) "/run/spire/agent-sockets" "defaulted"
                  Expect.equal (created.Str("spec", "pluginName")) "csi.spiffe.io" "defaulted"
                  Expect.isTrue (absent (created.At("spec", "bogus"))) "pruned"
              }))
      property "a value outside an enum is rejected at its path" (fun c ->
          task {
              let! message = rejected c "spec.logLevel" (operatorCr "SpireAgent" "cluster" """{"logLevel": "loud"}""")

              Expect.stringContains
                  message
                  "spec.logLevel: Unsupported value: \"loud\": supported values: \"debug\", \"info\", \"warn\", \"error\""
                  "as the API server words it"
          })
      property "difference: a real server adds that it skipped the CEL rules of an object its schema rejects" (fun c ->
          // Deliberate: the simulation checks the kernel's rules in one pass and reports only what failed.
          task {
              let! message = rejected c "spec.logLevel" (operatorCr "SpireAgent" "cluster" """{"logLevel": "loud"}""")

              let skipped =
                  "some validation rules were not checked because the object was invalid"

              match c.Flavour with
              | Simulated -> Expect.isFalse (message.Contains skipped) "only the failed rule"
              | Real -> Expect.stringContains message skipped "the real server's note"
          })
      property "a value not matching a pattern is rejected at its path" (fun c ->
          task {
              let! message =
                  rejected
                      c
                      "spec.pluginName"
                      (operatorCr "SpiffeCSIDriver" "cluster" """{"pluginName": "Bad_Name"}""")

              Expect.stringContains
                  message
                  "spec.pluginName: Invalid value: \"Bad_Name\": spec.pluginName in body should match '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'"
                  "as the API server words it"
          })
      property "a CEL rule with a fieldPath rejects at that field, with its message" (fun c ->
          task {
              let path = "spec.workloadAttestors.workloadAttestorsVerification.hostCertBasePath"

              let! message =
                  rejected
                      c
                      path
                      (operatorCr
                          "SpireAgent"
                          "cluster"
                          """{"workloadAttestors": {"workloadAttestorsVerification": {"type": "hostCert", "hostCertFileName": "ca.crt"}}}""")

              Expect.stringContains
                  message
                  (path + ": Invalid value: hostCertBasePath is required when type is 'hostCert'")
                  "as the API server words a CEL rule"

              let! message = rejected c "metadata.name" (operatorCr "SpiffeCSIDriver" "other" "{}")

              Expect.stringContains
                  message
                  "metadata.name: Invalid value: SpiffeCSIDriver is a singleton, .metadata.name must be 'cluster'"
                  "the rule's message"
          })
      property "a CEL transition rule rejects a change of an immutable field" (fun c ->
          withSingleton c "ZeroTrustWorkloadIdentityManager" (fun () ->
              task {
                  let ztwim =
                      operatorCr
                          "ZeroTrustWorkloadIdentityManager"
                          "cluster"
                          """{"trustDomain": "example.org", "clusterName": "demo"}"""

                  let! created = c.Client.CreateAsync(ztwim, ct) |> ok "create"
                  let changed = created.With([| "spec"; "trustDomain" |], Json.String "other.org")
                  let! e = c.Client.UpdateAsync(changed, ct) |> fails "update"
                  Expect.equal (e.Code, e.Reason) (422, "Invalid") "rejected"

                  Expect.stringContains
                      e.Message
                      "spec.trustDomain: Invalid value: trustDomain is immutable and cannot be changed"
                      "the rule's message at its field"
              }))
      property
          "difference: the simulation admits spire.spiffe.io CRs its schema would reject; a real server does not"
          (fun c ->
              // Deliberate: the simulation validates the operator's five CRs by the kernel's rules and no other schema; the
              // operator writes well-formed ClusterSPIFFEIDs, and a real server checks every CRD.
              task {
                  let sent = (clusterSpiffeId c "r" "x").Without("spec", "spiffeIDTemplate")
                  let! created = c.Client.CreateAsync(sent, ct)

                  match c.Flavour with
                  | Simulated -> Expect.isTrue created.IsOk "admitted without its required spec.spiffeIDTemplate"
                  | Real ->
                      Expect.isFalse created.IsOk "rejected"
                      Expect.equal created.Error.Code 422 "422"

                      Expect.stringContains
                          created.Error.Message
                          "spec.spiffeIDTemplate: Required value"
                          "the required field"
              }) ]
