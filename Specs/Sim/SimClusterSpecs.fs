module Ztwim.Specs.Sim.SimClusterSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Sim
open Ztwim.Specs.Api.Examples
open Ztwim.Specs.Sim.SimFixture

let private create (s: Sim) obj = s.User.CreateAsync(obj, ct) |> ok

let private deployment (name: string) (image: string) =
    json (
        sprintf
            """{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "%s", "namespace": "ns"},
                "spec": {"selector": {"matchLabels": {"app": "%s"}},
                         "template": {"metadata": {"labels": {"app": "%s"}}, "spec": {"containers": [{"name": "app", "image": "%s"}]}}}}"""
            name
            name
            name
            image
    )

let private objects =
    testList
        "objects"
        [ test "create sets uid, creationTimestamp and a resourceVersion, and no generation on a ConfigMap" {
              let s = sim ()
              let cm = create s (configMap "a" [] [ "k", "v" ])
              Expect.equal (text "metadata.creationTimestamp" cm) "2026-01-01T00:00:00Z" "creationTimestamp"
              Expect.isNone (tryGet "metadata.generation" cm) "a real server keeps no generation for a ConfigMap"

              Expect.isMatch
                  (text "metadata.uid" cm)
                  "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
                  "uid"

              Expect.equal (rv cm) (string s.Cluster.ResourceVersion) "resourceVersion"
          }
          test "a second create of the same name is 409 AlreadyExists" {
              let s = sim ()
              create s (configMap "a" [] []) |> ignore
              let e = s.User.CreateAsync(configMap "a" [] [], ct) |> fails

              Expect.equal
                  (e.Code, e.Reason, e.Message)
                  (409, "AlreadyExists", "configmaps \"a\" already exists")
                  "error"
          }
          test "every write takes the next resourceVersion of one global counter" {
              let s = sim ()
              let a = create s (configMap "a" [] [])
              let b = create s (configMap "b" [] [])
              Expect.equal (int64 (rv b)) (int64 (rv a) + 1L) "consecutive"
              let list = s.User.ListAsync(configMaps, "ns", null, ct) |> ok
              Expect.equal list.ResourceVersion (rv b) "the list is at the latest resourceVersion"
          }
          test "uids are distinct and the same in every run" {
              let uids () =
                  let s = sim ()
                  [ for i in 1..3 -> text "metadata.uid" (create s (configMap (sprintf "c%d" i) [] [])) ]

              let first = uids ()
              Expect.equal (List.distinct first).Length 3 "distinct"
              Expect.equal (uids ()) first "deterministic"
          }
          test "generateName makes a fresh name on create" {
              let s = sim ()

              let named =
                  configMap "" [] []
                  |> remove "metadata.name"
                  |> set "metadata.generateName" (str "cm-")

              let a = create s named
              let b = create s named
              Expect.isMatch (text "metadata.name" a) "^cm-[b-z2-9]{5}$" "generated"
              Expect.notEqual (text "metadata.name" a) (text "metadata.name" b) "distinct"
          }
          test "a kind the cluster does not serve is 404" {
              let s =
                  simWith (SimClusterOptions(ServedTypes = SimClusterOptions.PlainKubernetesTypes))

              let route = typeOf "route.openshift.io/v1" "Route"
              let e = s.User.ListAsync(route, "ns", null, ct) |> fails
              Expect.equal (e.Code, e.Message) (404, "the server could not find the requested resource") "error"
              Expect.isFalse (s.Cluster.Serves route) "discovery"
          }
          test "lists are sorted by namespace then name, in one namespace or all" {
              let s = sim ()

              for ns, name in [ "ns", "b"; "other", "a"; "ns", "a" ] do
                  create s (configMap name [] [] |> set "metadata.namespace" (str ns)) |> ignore

              let listed ns =
                  (s.User.ListAsync(configMaps, ns, null, ct) |> ok).Items
                  |> Seq.map (fun o -> o.Meta "namespace" + "/" + o.Meta "name")
                  |> List.ofSeq

              Expect.equal (listed null) [ "ns/a"; "ns/b"; "other/a" ] "all namespaces"
              Expect.equal (listed "ns") [ "ns/a"; "ns/b" ] "one namespace"
          } ]

let private updates =
    testList
        "updates"
        [ test "an update with a stale resourceVersion is 409 Conflict" {
              let s = sim ()
              let v1 = create s (configMap "a" [] [ "k", "1" ])
              s.User.UpdateAsync(set "data.k" (str "2") v1, ct) |> ok |> ignore
              let e = s.User.UpdateAsync(set "data.k" (str "3") v1, ct) |> fails
              Expect.equal (e.Code, e.Reason) (409, "Conflict") "conflict"
              Expect.stringContains e.Message "configmaps \"a\": the object has been modified" "message"
              Expect.equal (text "data.k" (reread s v1)) "2" "the first update stands"
          }
          test "an update with the current resourceVersion, or none, is applied" {
              let s = sim ()
              let v1 = create s (configMap "a" [] [ "k", "1" ])
              let v2 = s.User.UpdateAsync(set "data.k" (str "2") v1, ct) |> ok
              Expect.isGreaterThan (int64 (rv v2)) (int64 (rv v1)) "resourceVersion moves"

              let v3 =
                  s.User.UpdateAsync(v2 |> set "data.k" (str "3") |> remove "metadata.resourceVersion", ct)
                  |> ok

              Expect.equal (text "data.k" v3) "3" "unconditional update"
          }
          test "an update of a missing object is 404" {
              let s = sim ()
              let e = s.User.UpdateAsync(configMap "a" [] [], ct) |> fails
              Expect.equal (e.Code, e.Message) (404, "configmaps \"a\" not found") "error"
          }
          test "generation moves when anything outside metadata and status changes, not for labels" {
              let s = sim ()

              let v1 =
                  create
                      s
                      (json
                          """{"apiVersion": "spire.spiffe.io/v1alpha1", "kind": "ClusterSPIFFEID",
                              "metadata": {"name": "a"}, "spec": {"spiffeIDTemplate": "spiffe://a/1"}}""")

              Expect.equal (number "metadata.generation" v1) 1L "created"
              let v2 = s.User.UpdateAsync(set "metadata.labels.x" (str "y") v1, ct) |> ok
              Expect.equal (number "metadata.generation" v2) 1L "a label is metadata"

              let v3 =
                  s.User.UpdateAsync(set "spec.spiffeIDTemplate" (str "spiffe://a/2") v2, ct)
                  |> ok

              Expect.equal (number "metadata.generation" v3) 2L "spec changed"
          }
          test "a write that changes nothing is not a write: same resourceVersion, no watch event" {
              let s = sim ()
              let v1 = create s (configMap "a" [] [ "k", "1" ])
              let w = s.User.WatchAsync(configMaps, "ns", null, rv v1, ct) |> ok
              let same = s.User.UpdateAsync(v1, ct) |> ok
              Expect.equal (rv same) (rv v1) "resourceVersion"
              Expect.equal (fst (drain w)) [] "no event"
          }
          test "the status subresource: a normal write ignores status, a status apply changes only status" {
              let s = sim ()
              let d = create s (deployment "web" "nginx:1")
              let before = s.Cluster.ResourceVersion
              let ignored = s.User.UpdateAsync(set "status.replicas" (num 7) d, ct) |> ok
              Expect.equal (number "status.replicas" ignored) 0L "status ignored"
              Expect.equal s.Cluster.ResourceVersion before "no write"

              let status =
                  json
                      """{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
                          "spec": {"replicas": 9}, "status": {"replicas": 7}}"""

              let written = s.User.ApplyStatusAsync(status, "tester", true, ct) |> ok
              Expect.equal (number "status.replicas" written) 7L "status written"
              Expect.equal (number "spec.replicas" written) 1L "spec untouched (the default)"
              Expect.equal (number "metadata.generation" written) 1L "no generation bump"
          } ]

let private statusWrites =
    testList
        "status subresource writes"
        [ test "a status PUT changes only the status and checks the resourceVersion" {
              let s = sim ()
              let d = create s (deployment "web" "nginx:1")
              Expect.isTrue (s.Cluster.HasStatusSubresource deployments) "Deployment has one"
              let edited = d |> set "status.replicas" (num 3) |> set "spec.replicas" (num 5)
              let written = s.User.UpdateStatusAsync(edited, ct) |> ok
              Expect.equal (number "status.replicas" written, number "spec.replicas" written) (3L, 1L) "status only"

              let e =
                  s.User.UpdateStatusAsync(edited |> set "status.replicas" (num 4), ct) |> fails

              Expect.equal e.Code 409 "stale"
          }
          test "a status merge patch changes only the status" {
              let s = sim ()
              let d = create s (deployment "web" "nginx:1")

              let written =
                  s.User.MergePatchStatusAsync(
                      refOf d,
                      json """{"spec": {"replicas": 5}, "status": {"readyReplicas": 2}}""",
                      ct
                  )
                  |> ok

              Expect.equal
                  (number "status.readyReplicas" written, number "spec.replicas" written)
                  (2L, 1L)
                  "status only"

              Expect.equal s.User.Requests.["status"] 1L "counted as a status write"
          } ]

let private patches =
    testList
        "merge patch"
        [ test "RFC 7386: objects merge, null removes, lists are replaced" {
              let target = json """{"a": {"b": 1, "c": 2}, "l": [1, 2], "x": "y"}"""

              let patch =
                  json """{"a": {"b": null, "d": 3}, "l": [3], "x": null, "n": {"m": null}}"""

              Expect.equal
                  (MergePatch.Apply(target, patch))
                  (json """{"a": {"c": 2, "d": 3}, "l": [3], "n": {}}""")
                  "patched"
          }
          test "a patch is one more write of the object; a stale resourceVersion in it is 409" {
              let s = sim ()
              let v1 = create s (configMap "a" [] [ "k", "1"; "j", "2" ])
              let r = refOf v1

              let v2 =
                  s.User.MergePatchAsync(r, json """{"data": {"k": null, "n": "3"}}""", ct) |> ok

              Expect.equal (at "data" v2) (json """{"j": "2", "n": "3"}""") "data"

              let stale =
                  json (sprintf """{"metadata": {"resourceVersion": "%s"}, "data": {"k": "4"}}""" (rv v1))

              let e = s.User.MergePatchAsync(r, stale, ct) |> fails
              Expect.equal e.Code 409 "conflict"
          } ]

let private deletion =
    testList
        "deletion"
        [ test "delete removes an object without finalizers; deleting it again is 404" {
              let s = sim ()
              let cm = create s (configMap "a" [] [])
              Expect.isTrue (s.User.DeleteAsync(refOf cm, ct) |> ok) "gone at once"
              Expect.isTrue (isGone s (refOf cm)) "removed"
              let e = s.User.DeleteAsync(refOf cm, ct) |> fails
              Expect.equal e.Code 404 "not found"
          }
          test
              "a delete with preconditions removes only the object as it was read: another uid or resourceVersion is 409" {
              let s = sim ()
              let cm = create s (configMap "a" [] [])
              let read = DeletePreconditions.Of cm

              let moved =
                  s.User.MergePatchAsync(refOf cm, json """{"data": {"k": "2"}}""", ct) |> ok

              let stale = s.User.DeleteAsync(refOf cm, read, ct) |> fails
              Expect.equal stale.Code 409 "changed since it was read"

              let other =
                  s.User.DeleteAsync(refOf cm, DeletePreconditions("another-uid", null), ct)
                  |> fails

              Expect.equal other.Code 409 "another object by that name"
              Expect.isFalse (isGone s (refOf cm)) "still there"

              Expect.isTrue (s.User.DeleteAsync(refOf cm, DeletePreconditions.Of moved, ct) |> ok) "as it is now"
              Expect.isTrue (isGone s (refOf cm)) "removed"
          }
          test "finalizers hold a deleted object with a deletionTimestamp until an update removes them" {
              let s = sim ()

              let cm =
                  create
                      s
                      (configMap "a" [] []
                       |> set "metadata.finalizers" (Json.arr [ str "example.com/hold" ]))

              let w = s.User.WatchAsync(configMaps, "ns", null, rv cm, ct) |> ok
              Expect.isFalse (s.User.DeleteAsync(refOf cm, ct) |> ok) "pending"
              let held = reread s cm
              Expect.equal (text "metadata.deletionTimestamp" held) "2026-01-01T00:00:00Z" "deletionTimestamp"
              Expect.isNone (tryGet "metadata.generation" held) "a ConfigMap has no generation to bump"
              s.User.UpdateAsync(remove "metadata.finalizers" held, ct) |> ok |> ignore
              Expect.isTrue (isGone s (refOf cm)) "removed with its last finalizer"
              Expect.equal (shown (fst (drain w))) [ "Modified a"; "Deleted a" ] "events"
          } ]

let private selectors =
    let labelled =
        [ "a", [ "app", "a"; "tier", "web" ]
          "b", [ "app", "b" ]
          "c", [ "app", "c"; "tier", "db" ]
          "d", [] ]

    let selects (selector: string) (expected: string list) =
        test (sprintf "%s selects %A" selector expected) {
            let s = sim ()

            for name, labels in labelled do
                create s (configMap name labels []) |> ignore

            let listed =
                (s.User.ListAsync(configMaps, "ns", selector, ct) |> ok).Items
                |> Seq.map (fun o -> o.Meta "name")
                |> List.ofSeq

            Expect.equal listed expected "selected"
        }

    testList
        "label selectors"
        [ selects "app=a" [ "a" ]
          selects "app==b" [ "b" ]
          selects "app!=a" [ "b"; "c"; "d" ]
          selects "tier" [ "a"; "c" ]
          selects "!tier" [ "b"; "d" ]
          selects "app in (a, c)" [ "a"; "c" ]
          selects "app notin (a,c)" [ "b"; "d" ]
          selects "app in (a,b,c),tier!=db" [ "a"; "b" ]
          selects "" [ "a"; "b"; "c"; "d" ]
          test "a malformed selector is 400" {
              let s = sim ()
              let e = s.User.ListAsync(configMaps, "ns", "app in a", ct) |> fails
              Expect.equal (e.Code, e.Message) (400, "unable to parse requirement: app in a") "error"
          } ]

[<Tests>]
let tests =
    testList "sim-cluster api" [ objects; updates; statusWrites; patches; deletion; selectors ]
