/// How objects go: finalizers hold a deleted object (with a deletionTimestamp) until the last one is removed, and
/// the garbage collector removes dependents whose owners are gone.
module Ztwim.Specs.Conformance.LifecycleSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Render
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Conformance.ClusterUnderTest

let private s (v: string) = Json.String v

let private withFinalizers (finalizers: string list) (obj: Json) =
    obj.With([| "metadata"; "finalizers" |], Json.arr (finalizers |> List.map s))

let private ownedBy (owners: Json list) (obj: Json) =
    obj.With(
        [| "metadata"; "ownerReferences" |],
        Json.arr (
            owners
            |> List.map (fun o ->
                Json.obj
                    [ "apiVersion", s (o.Str "apiVersion")
                      "kind", s (o.Str "kind")
                      "name", s (o.Meta "name")
                      "uid", s (o.Meta "uid") ])
        )
    )

let private isGone (c: ClusterUnderTest) (r: ObjectRef) () =
    task {
        let! now = c.Client.GetAsync(r, ct)
        return (not now.IsOk && now.Error.Code = 404)
    }

let private requiresCollector (c: ClusterUnderTest) =
    if not c.HasGarbageCollector then
        skiptest
            "no garbage collector: kube-controller-manager is not running (its binary is not in KUBEBUILDER_ASSETS)"

let properties =
    [ property
          "a DELETE of an object with finalizers marks it (deletionTimestamp) and it goes with the last one"
          (fun c ->
              task {
                  let! created =
                      c.Client.CreateAsync(
                          configMap c "a" [] [] |> withFinalizers [ "example.com/a"; "example.com/b" ],
                          ct
                      )
                      |> ok "create"

                  let r = created.RefOf()
                  let! gone = c.Client.DeleteAsync(r, ct) |> ok "delete"
                  Expect.isFalse gone "held"
                  let! marked = c.Client.GetAsync(r, ct) |> ok "get"
                  Expect.isNotNull (marked.Meta "deletionTimestamp") "deletionTimestamp"

                  Expect.equal
                      (marked.Int("metadata", "deletionGracePeriodSeconds"))
                      (System.Nullable 0L)
                      "grace period"

                  let! again = c.Client.DeleteAsync(r, ct) |> ok "delete again"
                  Expect.isFalse again "still held"
                  let! same = c.Client.GetAsync(r, ct) |> ok "get"
                  Expect.equal (same.Meta "deletionTimestamp") (marked.Meta "deletionTimestamp") "the timestamp stays"

                  let! one =
                      c.Client.UpdateAsync(same |> withFinalizers [ "example.com/b" ], ct)
                      |> ok "remove one"

                  Expect.isNotNull (one.Meta "deletionTimestamp") "still marked"
                  let! _ = c.Client.UpdateAsync(one |> withFinalizers [], ct) |> ok "remove the last"
                  let! nowGone = isGone c r ()
                  Expect.isTrue nowGone "gone with the last finalizer"
              })
      property "a marked object takes no new finalizer (422), but its finalizers may be reordered or removed" (fun c ->
          task {
              let! created =
                  c.Client.CreateAsync(configMap c "a" [] [] |> withFinalizers [ "example.com/a" ], ct)
                  |> ok "create"

              let! _ = c.Client.DeleteAsync(created.RefOf(), ct) |> ok "delete"
              let! marked = c.Client.GetAsync(created.RefOf(), ct) |> ok "get"

              let! e =
                  c.Client.UpdateAsync(marked |> withFinalizers [ "example.com/a"; "example.com/new" ], ct)
                  |> fails "add"

              Expect.equal e.Code 422 "no new finalizer"
              let! _ = c.Client.UpdateAsync(marked |> withFinalizers [], ct) |> ok "remove"
              ()
          })
      property "the deletion of a custom resource held by a finalizer bumps its generation" (fun c ->
          task {
              let! created =
                  c.Client.CreateAsync(clusterSpiffeId c "f" "spiffe://a/b" |> withFinalizers [ "example.com/a" ], ct)
                  |> ok "create"

              let! _ = c.Client.DeleteAsync(created.RefOf(), ct) |> ok "delete"
              let! marked = c.Client.GetAsync(created.RefOf(), ct) |> ok "get"
              Expect.equal (generation marked) (Some 2L) "generation"
              let! _ = c.Client.UpdateAsync(marked |> withFinalizers [], ct) |> ok "release"
              ()
          })
      property "the garbage collector deletes a dependent whose only owner is gone" (fun c ->
          task {
              requiresCollector c
              let! owner = c.Client.CreateAsync(configMap c "owner" [] [], ct) |> ok "owner"

              let! dependent =
                  c.Client.CreateAsync(configMap c "dependent" [] [] |> ownedBy [ owner ], ct)
                  |> ok "dependent"

              let! _ = c.Client.DeleteAsync(owner.RefOf(), ct) |> ok "delete owner"
              do! c.Eventually "the dependent collected" (isGone c (dependent.RefOf()))
          })
      property "the garbage collector drops the dangling reference of a dependent with another owner left" (fun c ->
          task {
              requiresCollector c
              let! a = c.Client.CreateAsync(configMap c "a" [] [], ct) |> ok "a"
              let! b = c.Client.CreateAsync(configMap c "b" [] [], ct) |> ok "b"

              let! dependent =
                  c.Client.CreateAsync(configMap c "dependent" [] [] |> ownedBy [ a; b ], ct)
                  |> ok "dependent"

              let! _ = c.Client.DeleteAsync(a.RefOf(), ct) |> ok "delete a"

              let owners () =
                  task {
                      let! now = c.Client.GetAsync(dependent.RefOf(), ct) |> ok "dependent"

                      return
                          now.Items("metadata", "ownerReferences")
                          |> Seq.map (fun o -> o.Str "name")
                          |> List.ofSeq
                  }

              do!
                  c.Eventually "the reference to a dropped" (fun () ->
                      task {
                          let! names = owners ()
                          return names = [ "b" ]
                      })
          })
      property "the garbage collector deletes a dependent whose owner's uid is another object's" (fun c ->
          task {
              requiresCollector c
              let! owner = c.Client.CreateAsync(configMap c "owner" [] [], ct) |> ok "owner"

              let impostor =
                  owner.With([| "metadata"; "uid" |], s "00000000-0000-0000-0000-000000000001")

              let! dependent =
                  c.Client.CreateAsync(configMap c "dependent" [] [] |> ownedBy [ impostor ], ct)
                  |> ok "dependent"

              do! c.Eventually "the dependent of a uid that does not exist collected" (isGone c (dependent.RefOf()))
          })
      property "a collected dependent with a finalizer is marked, not removed" (fun c ->
          task {
              requiresCollector c
              let! owner = c.Client.CreateAsync(configMap c "owner" [] [], ct) |> ok "owner"

              let! dependent =
                  c.Client.CreateAsync(
                      configMap c "dependent" [] []
                      |> ownedBy [ owner ]
                      |> withFinalizers [ "example.com/a" ],
                      ct
                  )
                  |> ok "dependent"

              let! _ = c.Client.DeleteAsync(owner.RefOf(), ct) |> ok "delete owner"

              do!
                  c.Eventually "the dependent marked for deletion" (fun () ->
                      task {
                          let! now = c.Client.GetAsync(dependent.RefOf(), ct) |> ok "dependent"
                          return not (isNull (now.Meta "deletionTimestamp"))
                      })

              let! marked = c.Client.GetAsync(dependent.RefOf(), ct) |> ok "dependent"
              let! _ = c.Client.UpdateAsync(marked |> withFinalizers [], ct) |> ok "release"
              ()
          }) ]
