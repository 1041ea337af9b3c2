/// The status subresource of a custom resource: the main resource ignores the status it is sent, /status ignores
/// everything but the status.
module Ztwim.Specs.Conformance.StatusSubresourceSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Conformance.ClusterUnderTest

let private stats (n: int) =
    Json.obj [ "stats", Json.obj [ "namespacesSelected", Json.num n ] ]

let private selected (obj: Json) =
    obj.Int("status", "stats", "namespacesSelected") |> Option.ofNullable

let properties =
    [ property "a custom resource with a status subresource drops the status sent to its main resource" (fun c ->
          task {
              let sent = (clusterSpiffeId c "s" "spiffe://a/b").With([| "status" |], stats 1)
              let! created = c.Client.CreateAsync(sent, ct) |> ok "create"
              Expect.equal (selected created) None "create ignores status"
              let! updated = c.Client.UpdateAsync(created.With([| "status" |], stats 2), ct) |> ok "update"
              Expect.equal (selected updated) None "update ignores status"
              Expect.equal (rv updated) (rv created) "and changes nothing"

              let! applied =
                  c.Client.ApplyAsync(sent.With([| "status" |], stats 3), "alice", false, ct)
                  |> ok "apply"

              Expect.equal (selected applied) None "apply ignores status"

              let! patched =
                  c.Client.MergePatchAsync(created.RefOf(), Json.obj [ "status", stats 4 ], ct)
                  |> ok "patch"

              Expect.equal (selected patched) None "merge patch ignores status"
          })
      property "an apply to /status writes the status and ignores the spec and labels it carries" (fun c ->
          task {
              let! created = c.Client.CreateAsync(clusterSpiffeId c "s" "spiffe://a/b", ct) |> ok "create"

              let sent =
                  (clusterSpiffeId c "s" "spiffe://a/changed")
                      .With([| "metadata"; "labels"; "x" |], Json.String "1")
                      .With([| "status" |], stats 5)

              let! written = c.Client.ApplyStatusAsync(sent, "controller", false, ct) |> ok "apply status"
              Expect.equal (selected written) (Some 5L) "status written"
              Expect.equal (written.Str("spec", "spiffeIDTemplate")) "spiffe://a/b" "spec untouched"
              Expect.equal (written.Labels().Count) 0 "labels untouched"
              Expect.equal (generation written) (generation created) "generation untouched"
          })
      property "an apply to /status of an absent object is 404 NotFound" (fun c ->
          task {
              let sent = (clusterSpiffeId c "absent" "spiffe://a/b").With([| "status" |], stats 1)
              let! e = c.Client.ApplyStatusAsync(sent, "controller", false, ct) |> fails "apply status"
              Expect.equal e.Code 404 "absent"
          }) ]
