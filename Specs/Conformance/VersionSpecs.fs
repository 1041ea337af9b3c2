/// Optimistic concurrency: the resourceVersion every write moves, 409 Conflict on a stale one, the generation that
/// follows spec changes only, and the preconditions of a DELETE.
module Ztwim.Specs.Conformance.VersionSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Conformance.ClusterUnderTest

let private label (key: string) (value: string) (obj: Json) =
    obj.With([| "metadata"; "labels"; key |], Json.String value)

let properties =
    [ property
          "a write moves the resourceVersion; an update from a stale one is 409 Conflict and changes nothing"
          (fun c ->
              task {
                  let! first = c.Client.CreateAsync(configMap c "a" [] [ "k", "1" ], ct) |> ok "create"

                  let! second =
                      c.Client.UpdateAsync(first.With([| "data"; "k" |], Json.String "2"), ct)
                      |> ok "update"

                  Expect.notEqual (rv second) (rv first) "an update moves the resourceVersion"

                  let! e =
                      c.Client.UpdateAsync(first.With([| "data"; "k" |], Json.String "3"), ct)
                      |> fails "stale update"

                  Expect.equal (e.Code, e.Reason) (409, "Conflict") "a stale update"
                  let! now = c.Client.GetAsync(first.RefOf(), ct) |> ok "get"
                  Expect.equal (now.Str("data", "k")) "2" "the stale update changed nothing"
                  Expect.equal (rv now) (rv second) "nor the resourceVersion"
              })
      property "an update that changes nothing keeps the resourceVersion" (fun c ->
          task {
              let! first = c.Client.CreateAsync(configMap c "a" [] [ "k", "1" ], ct) |> ok "create"
              let! again = c.Client.UpdateAsync(first, ct) |> ok "update"
              Expect.equal (rv again) (rv first) "resourceVersion"
          })
      property "a merge patch carrying a stale resourceVersion is 409 Conflict; one without any applies" (fun c ->
          task {
              let! first = c.Client.CreateAsync(configMap c "a" [] [ "k", "1" ], ct) |> ok "create"

              let! _ =
                  c.Client.MergePatchAsync(first.RefOf(), Json.obj [ "data", Json.obj [ "k", Json.String "2" ] ], ct)
                  |> ok "patch"

              let stale =
                  Json.obj
                      [ "metadata", Json.obj [ "resourceVersion", Json.String(rv first) ]
                        "data", Json.obj [ "k", Json.String "3" ] ]

              let! e = c.Client.MergePatchAsync(first.RefOf(), stale, ct) |> fails "stale patch"
              Expect.equal (e.Code, e.Reason) (409, "Conflict") "a stale patch"
          })
      property "a server-side apply carrying a stale resourceVersion is 409 Conflict" (fun c ->
          task {
              let! first =
                  c.Client.ApplyAsync(configMap c "a" [] [ "k", "1" ], "alice", false, ct)
                  |> ok "apply"

              let! _ =
                  c.Client.ApplyAsync(configMap c "a" [] [ "k", "2" ], "alice", false, ct)
                  |> ok "apply again"

              let stale =
                  (configMap c "a" [] [ "k", "3" ]).With([| "metadata"; "resourceVersion" |], Json.String(rv first))

              let! e = c.Client.ApplyAsync(stale, "alice", false, ct) |> fails "stale apply"
              Expect.equal (e.Code, e.Reason) (409, "Conflict") "a stale apply"
          })
      property "the generation of a custom resource follows its spec: not its labels, not its status" (fun c ->
          task {
              let! created = c.Client.CreateAsync(clusterSpiffeId c "gen" "spiffe://a/b", ct) |> ok "create"
              Expect.equal (generation created) (Some 1L) "a new object is generation 1"
              let! labelled = c.Client.UpdateAsync(label "x" "1" created, ct) |> ok "label"
              Expect.equal (generation labelled) (Some 1L) "a label leaves the generation"
              Expect.notEqual (rv labelled) (rv created) "though it is a write"

              let status =
                  Json.obj
                      [ "apiVersion", Json.String "spire.spiffe.io/v1alpha1"
                        "kind", Json.String "ClusterSPIFFEID"
                        "metadata", Json.obj [ "name", Json.String(created.Meta "name") ]
                        "status", Json.obj [ "stats", Json.obj [ "namespacesSelected", Json.num 3 ] ] ]

              let! withStatus = c.Client.ApplyStatusAsync(status, "controller", false, ct) |> ok "status"

              Expect.equal
                  (withStatus.Int("status", "stats", "namespacesSelected"))
                  (System.Nullable 3L)
                  "status written"

              Expect.equal (generation withStatus) (Some 1L) "a status write leaves the generation"

              let! changed =
                  c.Client.MergePatchAsync(
                      created.RefOf(),
                      Json.obj [ "spec", Json.obj [ "spiffeIDTemplate", Json.String "spiffe://a/c" ] ],
                      ct
                  )
                  |> ok "spec change"

              Expect.equal (generation changed) (Some 2L) "a spec change bumps the generation"
          })
      property "a ConfigMap has no generation, before or after a change" (fun c ->
          task {
              let! created = c.Client.CreateAsync(configMap c "a" [] [ "k", "1" ], ct) |> ok "create"
              Expect.equal (generation created) None "created"

              let! changed =
                  c.Client.UpdateAsync(created.With([| "data"; "k" |], Json.String "2"), ct)
                  |> ok "update"

              Expect.equal (generation changed) None "changed"
          })
      property "the generation of a Deployment follows its spec: not its labels" (fun c ->
          task {
              let deployment =
                  Json.obj
                      [ "apiVersion", Json.String "apps/v1"
                        "kind", Json.String "Deployment"
                        "metadata", Json.obj [ "name", Json.String "web"; "namespace", Json.String c.Namespace ]
                        "spec",
                        Json.obj
                            [ "replicas", Json.num 0
                              "selector", Json.obj [ "matchLabels", Json.obj [ "app", Json.String "web" ] ]
                              "template",
                              Json.obj
                                  [ "metadata", Json.obj [ "labels", Json.obj [ "app", Json.String "web" ] ]
                                    "spec",
                                    Json.obj
                                        [ "containers",
                                          Json.arr
                                              [ Json.obj [ "name", Json.String "app"; "image", Json.String "app:1" ] ] ] ] ] ]

              let! created = c.Client.ApplyAsync(deployment, "alice", false, ct) |> ok "create"
              Expect.equal (generation created) (Some 1L) "a new object is generation 1"
              let! labelled = c.Client.ApplyAsync(label "x" "1" deployment, "alice", false, ct) |> ok "label"
              Expect.equal (generation labelled) (Some 1L) "a label leaves the generation"

              let! scaled =
                  c.Client.ApplyAsync(
                      label "x" "1" (deployment.With([| "spec"; "replicas" |], Json.num 1)),
                      "alice",
                      false,
                      ct
                  )
                  |> ok "scale"

              Expect.equal (generation scaled) (Some 2L) "a spec change bumps the generation"
          })
      property "a DELETE whose uid or resourceVersion precondition does not hold is 409 and deletes nothing" (fun c ->
          task {
              let! first = c.Client.CreateAsync(configMap c "a" [] [ "k", "1" ], ct) |> ok "create"

              let! current =
                  c.Client.UpdateAsync(first.With([| "data"; "k" |], Json.String "2"), ct)
                  |> ok "update"

              let r = first.RefOf()

              let! e =
                  c.Client.DeleteAsync(r, DeletePreconditions("00000000-0000-0000-0000-000000000000", null), ct)
                  |> fails "other uid"

              Expect.equal (e.Code, e.Reason) (409, "Conflict") "another uid"

              let! e =
                  c.Client.DeleteAsync(r, DeletePreconditions.Of first, ct)
                  |> fails "stale resourceVersion"

              Expect.equal (e.Code, e.Reason) (409, "Conflict") "a stale resourceVersion"
              let! still = c.Client.GetAsync(r, ct) |> ok "still there"
              Expect.equal (rv still) (rv current) "untouched"
              let! gone = c.Client.DeleteAsync(r, DeletePreconditions.Of current, ct) |> ok "delete"
              Expect.isTrue gone "deleted when both hold"
          }) ]
