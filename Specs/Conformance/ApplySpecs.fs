/// Server-side apply (field managers, managedFields, conflicts, force, fields a manager stops applying) and JSON
/// merge patch.
module Ztwim.Specs.Conformance.ApplySpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Conformance.ClusterUnderTest

let private entries (obj: Json) =
    obj.Items("metadata", "managedFields")
    |> Seq.map (fun e -> e.Str "manager", e.Str "operation")
    |> Seq.sort
    |> List.ofSeq

/// The data keys a manager owns (f:data.f:KEY), sorted.
let private ownedData (manager: string) (obj: Json) =
    obj.Items("metadata", "managedFields")
    |> Seq.filter (fun e -> e.Str "manager" = manager)
    |> Seq.collect (fun e -> e.Members("fieldsV1", "f:data").Keys)
    |> Seq.filter (fun k -> k.StartsWith "f:")
    |> Seq.map (fun k -> k.Substring 2)
    |> Seq.sort
    |> List.ofSeq

let private data (obj: Json) =
    obj.Members "data"
    |> Seq.map (fun kv -> kv.Key, kv.Value)
    |> Seq.sortBy fst
    |> List.ofSeq

let private s (v: string) = Json.String v

let private apply (c: ClusterUnderTest) manager force obj =
    c.Client.ApplyAsync(obj, manager, force, ct)
    |> ok (sprintf "apply as %s" manager)

let private deployment (c: ClusterUnderTest) (containers: Json list) =
    Json.obj
        [ "apiVersion", s "apps/v1"
          "kind", s "Deployment"
          "metadata", Json.obj [ "name", s "web"; "namespace", s c.Namespace ]
          "spec",
          Json.obj
              [ "replicas", Json.num 0
                "selector", Json.obj [ "matchLabels", Json.obj [ "app", s "web" ] ]
                "template",
                Json.obj
                    [ "metadata", Json.obj [ "labels", Json.obj [ "app", s "web" ] ]
                      "spec", Json.obj [ "containers", Json.arr containers ] ] ] ]

let private container (name: string) (image: string) =
    Json.obj [ "name", s name; "image", s image ]

let private containers (obj: Json) =
    obj.Items("spec", "template", "spec", "containers")
    |> Seq.map (fun c -> c.Str "name", c.Str "image")
    |> List.ofSeq

let properties =
    [ property "managedFields records each manager and operation, and the fields it set" (fun c ->
          task {
              let! created = c.Client.CreateAsync(configMap c "a" [] [ "made", "1" ], ct) |> ok "create"
              Expect.equal (entries created) [ c.UpdateManager, "Update" ] "create is an Update"
              let! applied = apply c "alice" false (configMap c "a" [] [ "k", "1" ])

              Expect.equal
                  (entries applied)
                  [ "alice", "Apply"; c.UpdateManager, "Update" ]
                  "apply adds an Apply entry"

              Expect.equal (ownedData "alice" applied) [ "k" ] "alice owns what she applied"
              Expect.equal (ownedData c.UpdateManager applied) [ "made" ] "the creator keeps what it set"
              Expect.equal (data applied) [ "k", s "1"; "made", s "1" ] "apply merges into the object"

              let entry =
                  applied.Items("metadata", "managedFields")
                  |> Seq.find (fun e -> e.Str "manager" = "alice")

              Expect.equal (entry.Str "fieldsType") "FieldsV1" "fieldsType"
              Expect.equal (entry.Str "apiVersion") "v1" "apiVersion"
              Expect.isNotNull (entry.Str "time") "time"
          })
      property "another manager applying a different value is 409 Conflict; force takes the field over" (fun c ->
          task {
              let! _ = apply c "alice" false (configMap c "a" [] [ "k", "1"; "mine", "1" ])

              let! e =
                  c.Client.ApplyAsync(configMap c "a" [] [ "k", "2" ], "bob", false, ct)
                  |> fails "bob's apply"

              Expect.equal (e.Code, e.Reason) (409, "Conflict") "conflict"
              Expect.stringContains e.Message "alice" "the message names the owner"
              Expect.stringContains e.Message ".data.k" "and the field"
              let! forced = apply c "bob" true (configMap c "a" [] [ "k", "2" ])
              Expect.equal (forced.Str("data", "k")) "2" "force wins"
              Expect.equal (ownedData "bob" forced) [ "k" ] "bob owns it now"
              Expect.equal (ownedData "alice" forced) [ "mine" ] "alice lost it"
          })
      property "managers applying the same value share the field without conflict" (fun c ->
          task {
              let! _ = apply c "alice" false (configMap c "a" [] [ "k", "1" ])
              let! shared = apply c "bob" false (configMap c "a" [] [ "k", "1" ])
              Expect.equal (ownedData "alice" shared) [ "k" ] "alice"
              Expect.equal (ownedData "bob" shared) [ "k" ] "bob"
          })
      property "a field its only manager stops applying is removed; one another manager applies too stays" (fun c ->
          task {
              let! _ = apply c "alice" false (configMap c "a" [] [ "only", "1"; "kept", "1"; "gone", "1" ])
              let! _ = apply c "bob" false (configMap c "a" [] [ "kept", "1" ])
              let! after = apply c "alice" false (configMap c "a" [] [ "only", "1" ])
              Expect.equal (data after) [ "kept", s "1"; "only", s "1" ] "gone removed, the key bob applies too stays"
              Expect.equal (ownedData "alice" after) [ "only" ] "alice"
              Expect.equal (ownedData "bob" after) [ "kept" ] "bob"
          })
      property "a field set by an update belongs to its writer: re-applying the old value conflicts with it" (fun c ->
          task {
              let! applied = apply c "alice" false (configMap c "a" [] [ "k", "1" ])
              let! updated = c.Client.UpdateAsync(applied.With([| "data"; "k" |], s "2"), ct) |> ok "update"
              Expect.equal (ownedData "alice" updated) [] "alice lost k to the update"
              Expect.equal (ownedData c.UpdateManager updated) [ "k" ] "the updater owns it"

              let! e =
                  c.Client.ApplyAsync(configMap c "a" [] [ "k", "1" ], "alice", false, ct)
                  |> fails "re-apply"

              Expect.equal (e.Code, e.Reason) (409, "Conflict") "conflict with the updater"
          })
      property "applies of different items of a keyed list merge by key" (fun c ->
          task {
              let! _ = apply c "alice" false (deployment c [ container "app" "app:1" ])
              let! both = apply c "bob" false (deployment c [ container "sidecar" "side:1" ])
              Expect.equal (containers both) [ "app", "app:1"; "sidecar", "side:1" ] "both containers"

              let! e =
                  c.Client.ApplyAsync(deployment c [ container "app" "app:2" ], "bob", false, ct)
                  |> fails "bob's apply"

              Expect.equal e.Code 409 "another manager's item conflicts"
              let! alone = apply c "bob" false (deployment c [ container "app" "app:1" ])
              Expect.equal (containers alone) [ "app", "app:1" ] "the item bob stopped applying is gone"
          })
      property "a merge patch sets and replaces members, null removes one, a list is replaced whole" (fun c ->
          task {
              let! _ =
                  c.Client.CreateAsync(
                      (clusterSpiffeId c "m" "spiffe://a/b")
                          .With([| "spec"; "dnsNameTemplates" |], Json.arr [ s "a"; s "b" ])
                          .With([| "spec"; "hint" |], s "h"),
                      ct
                  )
                  |> ok "create"

              let patch =
                  Json.obj
                      [ "metadata", Json.obj [ "labels", Json.obj [ "x", s "1" ] ]
                        "spec",
                        Json.obj
                            [ "hint", Json.Null
                              "className", s "c"
                              "dnsNameTemplates", Json.arr [ s "c" ] ] ]

              let r =
                  JsonAccess.Ref("spire.spiffe.io/v1alpha1", "ClusterSPIFFEID", null, c.Prefix + "m")

              let! patched = c.Client.MergePatchAsync(r, patch, ct) |> ok "patch"
              Expect.equal (patched.Str("spec", "spiffeIDTemplate")) "spiffe://a/b" "untouched member kept"
              Expect.isNull (patched.Str("spec", "hint")) "null removes"
              Expect.equal (patched.Str("spec", "className")) "c" "new member set"
              Expect.equal (patched.Items("spec", "dnsNameTemplates") |> List.ofSeq) [ s "c" ] "list replaced"
              Expect.equal (patched.Labels().["x"]) "1" "metadata patched"
          })
      property "a merge patch of an absent object is 404 NotFound" (fun c ->
          task {
              let r = JsonAccess.Ref("v1", "ConfigMap", c.Namespace, "absent")

              let! e =
                  c.Client.MergePatchAsync(r, Json.obj [ "data", Json.obj [ "k", s "1" ] ], ct)
                  |> fails "patch"

              Expect.equal e.Code 404 "absent"
          }) ]
